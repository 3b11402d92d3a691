namespace Safeguard.Stream.Kafka;

/// <summary>
/// Renders a dead letter for the dead-letter topic: where the item came from, why it failed, and its original payload
/// cut to a size cap, in the style of ChangeProp's error events (<c>original_event</c>, <c>reason</c>). The same item
/// always gets the same <c>meta.id</c> and key, so a replay's duplicates can be told apart from new failures.
/// </summary>
public static class DeadLetterEventWriter
{
    /// <summary>The schema URI the event names (documented in schemas/README.md; not a registered Event Platform schema).</summary>
    public const string SchemaUri = "/safeguard/dead_letter/1.0.0";

    public static byte[] Write(DeadLetteredResult dead, string stream, int maxPayloadBytes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dead);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPayloadBytes);
        var key = dead.Key;
        var payload = dead.Context.Payload.Span;
        using var buffer = new MemoryStream(256 + Math.Min(payload.Length, maxPayloadBytes) * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteStartObject("meta");
            json.WriteString("stream", stream);
            json.WriteString("id", EventIdentity.NameBased("dead_letter\n" + dead.Context.SourceName + "\n" + key).ToString());
            json.WriteString("dt", Iso(now));
            if (dead.Edit is { } edit)
            {
                json.WriteString("domain", edit.Domain);
            }

            json.WriteEndObject();
            json.WriteString("dt", Iso(now));
            json.WriteString("source", dead.Context.SourceName);
            if (dead.Context.Position is { } position)
            {
                json.WriteString("position", position);
            }

            json.WriteString("item_key", key);
            json.WriteString("reason", dead.Reason);
            json.WriteString("detail", dead.Detail);
            if (dead.Edit is { } e)
            {
                json.WriteString("wiki_id", e.WikiId);
                json.WriteNumber("rev_id", e.RevId);
            }

            // The payload as text, cut at the cap (DeadLetterPayload); its full size says how much is missing.
            var (kept, truncated) = DeadLetterPayload.Cut(payload, maxPayloadBytes);
            json.WriteString("original_event", kept ?? string.Empty);
            json.WriteNumber("original_event_bytes", payload.Length);
            json.WriteBoolean("original_event_truncated", truncated);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
