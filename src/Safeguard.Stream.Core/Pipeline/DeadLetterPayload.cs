namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// The one rule for how much of a bad payload a dead letter keeps: at most a cap in UTF-8 bytes, cut on a character
/// boundary (never through a multi-byte sequence), as text with invalid UTF-8 replaced by U+FFFD. Each sink has its
/// own cap, in bytes, because their limits differ (a Kafka message, a table row).
/// </summary>
public static class DeadLetterPayload
{
    /// <summary>The kept text and whether bytes were cut; null text when the cap is 0 or there is no payload.</summary>
    public static (string? Text, bool Truncated) Cut(ReadOnlySpan<byte> payload, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (maxBytes == 0 || payload.IsEmpty)
        {
            return (null, !payload.IsEmpty);
        }

        if (payload.Length <= maxBytes)
        {
            return (Encoding.UTF8.GetString(payload), false);
        }

        var end = maxBytes;

        // Step back over continuation bytes (10xxxxxx) to the start of the sequence the cap falls in, and drop that
        // sequence unless it ends exactly at the cap.
        var start = end;
        while (start > 0 && end - start < 4 && (payload[start - 1] & 0xC0) == 0x80)
        {
            start--;
        }

        if (start > 0 && payload[start - 1] >= 0xC0 && start - 1 + SequenceLength(payload[start - 1]) > end)
        {
            end = start - 1;
        }

        return (Encoding.UTF8.GetString(payload[..end]), true);
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        >= 0xF0 => 4,
        >= 0xE0 => 3,
        _ => 2,
    };
}
