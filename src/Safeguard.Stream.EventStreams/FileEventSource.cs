using System.Net.ServerSentEvents;

namespace Safeguard.Stream.EventStreams;

/// <summary>
/// Replays a file: JSONL with one event payload per line, or a raw SSE capture (<c>event:</c>/<c>id:</c>/<c>data:</c>
/// frames). Lines keep their line number so a bad one is dead-lettered with it. With a speed, events are paced by
/// their own timestamps.
/// </summary>
public sealed class FileEventSource(IOptions<SourceOptions> options, TimeProvider timeProvider, ICheckpointStore? checkpoints = null) : IEventSource
{
    private readonly SourceOptions _options = options.Value;
    private string? _resumeAfter;

    public string Name => "file:" + Path.GetFileName(_options.File ?? "?");

    public async Task RunAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var path = _options.File ?? throw new InvalidOperationException("Safeguard:Source:File is required for the file source");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"replay file not found: {path}", path);
        }

        // `run` with a file source resumes after its checkpoint like a stream would; `replay` starts afresh.
        _resumeAfter = _options.ResumeFile && checkpoints is not null ? await checkpoints.LoadAsync(Name, cancellationToken) : null;
        if (await LooksLikeSseAsync(path, cancellationToken))
        {
            await ReadSseAsync(path, output, cancellationToken);
        }
        else
        {
            await ReadJsonLinesAsync(path, output, cancellationToken);
        }
    }

    private async Task ReadJsonLinesAsync(string path, ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        // Lines are read as bytes, not decoded: an invalid UTF-8 line must reach the parser as it is and be
        // dead-lettered, not be "repaired" into valid JSON by a decoder's replacement characters.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var pacer = new ReplayPacer(_options.Speed, timeProvider);
        long sequence = 0;
        var skipThrough = long.TryParse(_resumeAfter, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var line) ? line : 0;
        await foreach (var (lineNumber, bytes) in ReadLinesAsync(stream, _options.MaxEventBytes, cancellationToken))
        {
            if (lineNumber <= skipThrough)
            {
                continue;
            }

            if (IsBlank(bytes.Span))
            {
                continue;
            }

            var item = new SourceEvent(++sequence, Name, lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), bytes)
            {
                LineNumber = lineNumber,
                Rejection = TooLarge(bytes.Length),
            };
            await pacer.WaitAsync(bytes, cancellationToken);
            await output.WriteAsync(item, cancellationToken);
        }
    }

    /// <summary>
    /// Splits a stream into lines of raw bytes (LF or CRLF). A line longer than <paramref name="maxBytes"/> is kept only
    /// up to a little past the cap — enough to dead-letter it as too large — so one huge line cannot exhaust memory.
    /// </summary>
    internal static async IAsyncEnumerable<(long LineNumber, ReadOnlyMemory<byte> Bytes)> ReadLinesAsync(
        System.IO.Stream stream, int maxBytes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long lineNumber = 0;
        long lineLength = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                Append(line, buffer.AsSpan(start, i - start), ref lineLength, maxBytes);
                yield return (++lineNumber, Finish(line, lineLength));
                line.SetLength(0);
                lineLength = 0;
                start = i + 1;
            }

            Append(line, buffer.AsSpan(start, read - start), ref lineLength, maxBytes);
        }

        if (lineLength > 0)
        {
            yield return (++lineNumber, Finish(line, lineLength));
        }

        static void Append(MemoryStream line, ReadOnlySpan<byte> bytes, ref long length, int maxBytes)
        {
            length += bytes.Length;
            var room = (long)maxBytes + 1 - line.Length;
            if (room > 0)
            {
                line.Write(bytes[..(int)Math.Min(room, bytes.Length)]);
            }
        }

        static ReadOnlyMemory<byte> Finish(MemoryStream line, long length)
        {
            var bytes = line.ToArray();
            if (length == bytes.Length && bytes.Length > 0 && bytes[^1] == (byte)'\r')
            {
                return bytes.AsMemory(0, bytes.Length - 1);
            }

            return bytes;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private async Task ReadSseAsync(string path, ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var parser = SseParser.Create(stream, (_, data) => data.ToArray());
        var pacer = new ReplayPacer(_options.Speed, timeProvider);
        long sequence = 0;
        var skipping = _resumeAfter is not null;
        await foreach (var frame in parser.EnumerateAsync(cancellationToken))
        {
            if (skipping)
            {
                // Skip through the checkpointed frame. A checkpoint belongs to its capture: an id that never appears
                // means nothing after it is replayed.
                skipping = (frame.EventId ?? parser.LastEventId) != _resumeAfter;
                continue;
            }

            if (frame.EventType != "message")
            {
                continue;
            }

            var item = new SourceEvent(++sequence, Name, frame.EventId ?? parser.LastEventId, frame.Data)
            {
                LineNumber = sequence,
                Rejection = TooLarge(frame.Data.Length),
            };
            await pacer.WaitAsync(frame.Data, cancellationToken);
            await output.WriteAsync(item, cancellationToken);
        }
    }

    private (string, string)? TooLarge(int length) =>
        length > _options.MaxEventBytes
            ? (EventParseError.TooLarge, $"event larger than Safeguard:Source:MaxEventBytes ({_options.MaxEventBytes} bytes)")
            : null;

    private static async Task<bool> LooksLikeSseAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            return line.StartsWith("event:", StringComparison.Ordinal) || line.StartsWith("id:", StringComparison.Ordinal) ||
                   line.StartsWith("data:", StringComparison.Ordinal) || line.StartsWith(':') || line.StartsWith("retry:", StringComparison.Ordinal);
        }

        return false;
    }

    /// <summary>Spaces events by their own <c>meta.dt</c>/<c>dt</c>, divided by the speed. Speed 0 means no pacing.</summary>
    private sealed class ReplayPacer(double speed, TimeProvider timeProvider)
    {
        private DateTimeOffset? _firstEventTime;
        private long _startTimestamp;

        public async ValueTask WaitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            if (speed <= 0 || EventTime(payload) is not { } time)
            {
                return;
            }

            if (_firstEventTime is not { } first)
            {
                _firstEventTime = time;
                _startTimestamp = timeProvider.GetTimestamp();
                return;
            }

            var due = TimeSpan.FromTicks((long)((time - first).Ticks / speed));
            var wait = due - timeProvider.GetElapsedTime(_startTimestamp);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken);
            }
        }

        private static DateTimeOffset? EventTime(ReadOnlyMemory<byte> payload)
        {
            try
            {
                var reader = new Utf8JsonReader(payload.Span);
                using var document = JsonDocument.ParseValue(ref reader);
                var root = document.RootElement;
                if (root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("dt", out var dt) && dt.TryGetDateTimeOffset(out var time))
                {
                    return time;
                }

                return root.TryGetProperty("dt", out var top) && top.TryGetDateTimeOffset(out var topTime) ? topTime : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
