using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections.Features;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="SseReplayServer"/>.</summary>
public sealed record SseReplayServerOptions
{
    /// <summary>JSONL file of event payloads (one <c>data:</c> JSON per line); frames and ids are generated.</summary>
    public string? EventsPath { get; init; }

    /// <summary>A raw SSE capture (frames separated by blank lines), replayed verbatim.</summary>
    public string? RawSsePath { get; init; }

    /// <summary>Kafka topic written into generated ids.</summary>
    public string Topic { get; init; } = "eqiad.mediawiki.page_change.v1";

    /// <summary>Close each connection abruptly (TCP abort) after this many events.</summary>
    public int? CutAfterEvents { get; init; }

    /// <summary>
    /// Cut points for successive connections: the n-th accepted connection is cut after element n events; once the
    /// list is used up, <see cref="CutAfterEvents"/> (if any) applies. Lets a test cut at irregular points.
    /// </summary>
    public IReadOnlyList<int>? CutAfterEventsSequence { get; init; }

    /// <summary>Pause before each event.</summary>
    public TimeSpan? DelayBetweenEvents { get; init; }

    /// <summary>
    /// True: end the response after the last frame. False (default, like EventStreams): keep the connection open and
    /// idle (no heartbeats, EventStreams sends none) and send events added later with <see cref="SseReplayServer.AppendEvent"/>.
    /// </summary>
    public bool EndStreamAtEof { get; init; }

    /// <summary>Answer the first N connection attempts with 429 and <c>Retry-After</c>.</summary>
    public int? Status429Count { get; init; }

    /// <summary><c>Retry-After</c> seconds on 429 responses.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>If set, send <c>retry: N</c> as the first frame (EventStreams does not).</summary>
    public int? RetryFieldMs { get; init; }
}

/// <summary>
/// Replays recorded frames like Wikimedia EventStreams at <c>GET /v2/stream/{streams}</c> (text/event-stream),
/// honouring <c>Last-Event-ID</c> (offset: resume after that offset; timestamp: resume at the first event whose
/// <c>meta.dt</c> is not earlier) and <c>?since=</c> (ISO-8601 or epoch milliseconds).
/// </summary>
public sealed class SseReplayServer : IAsyncDisposable
{
    private readonly SseReplayServerOptions _options;
    private readonly List<Frame> _frames = [];
    private readonly Lock _framesGate = new();
    private readonly ConcurrentQueue<string?> _lastEventIds = new();
    private readonly ConcurrentQueue<string> _streamsRequested = new();
    private readonly CancellationTokenSource _shutdown = new();
    private TaskCompletionSource _framesChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackHost? _host;
    private int _connectionCount;
    private int _acceptedCount;

    private SseReplayServer(SseReplayServerOptions options) => _options = options;

    /// <summary>The bound port.</summary>
    public int Port => _host?.Port ?? throw new InvalidOperationException("Not started.");

    /// <summary>Connection attempts, including those answered with 429.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Last-Event-ID header of each connection attempt (null when absent), in order.</summary>
    public IReadOnlyList<string?> LastEventIdsSeen => [.. _lastEventIds];

    /// <summary>The <c>{streams}</c> path segment of each connection attempt.</summary>
    public IReadOnlyList<string> StreamsRequested => [.. _streamsRequested];

    /// <summary>Number of frames loaded or appended.</summary>
    public int FrameCount
    {
        get
        {
            lock (_framesGate)
            {
                return _frames.Count;
            }
        }
    }

    /// <summary>Starts the server on <paramref name="port"/> (0 = any free port) and loads the configured file.</summary>
    public static async Task<SseReplayServer> StartAsync(SseReplayServerOptions? options = null, int port = 0, CancellationToken ct = default)
    {
        var server = new SseReplayServer(options ?? new SseReplayServerOptions());
        if (server._options.EventsPath is { } jsonl)
        {
            foreach (var line in await File.ReadAllLinesAsync(jsonl, ct))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    server.AppendEvent(line);
                }
            }
        }

        if (server._options.RawSsePath is { } raw)
        {
            server.AppendRawSse(await File.ReadAllTextAsync(raw, ct));
        }

        server._host = await LoopbackHost.StartAsync(port, server.MapRoutes, ct);
        return server;
    }

    /// <summary><c>http://127.0.0.1:{port}/v2/stream/{stream}</c>.</summary>
    public Uri StreamUrl(string stream) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/v2/stream/{stream}"));

    /// <summary>Appends one event payload; its id carries offset = its index. Idle open connections receive it.</summary>
    public void AppendEvent(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        var data = json.Trim();
        lock (_framesGate)
        {
            long offset = _frames.Count;
            var id = string.Create(CultureInfo.InvariantCulture, $"[{{\"topic\":\"{_options.Topic}\",\"partition\":0,\"offset\":{offset}}}]");
            var text = $"event: message\nid: {id}\ndata: {data}\n\n";
            _frames.Add(new Frame(text, offset, ReadDt(data)));
            SignalChanged();
        }
    }

    /// <summary>Appends frames from a raw SSE capture, replayed verbatim.</summary>
    public void AppendRawSse(string capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var normalized = capture.Replace("\r\n", "\n", StringComparison.Ordinal);
        lock (_framesGate)
        {
            foreach (var block in normalized.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.IsNullOrWhiteSpace(block))
                {
                    continue;
                }

                long? offset = null;
                var data = new StringBuilder();
                var isComment = block.Split('\n').All(l => l.StartsWith(':') || l.Length == 0);
                foreach (var line in block.Split('\n'))
                {
                    if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        offset = ReadOffset(line[3..].Trim());
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line.AsSpan(5).TrimStart(' '));
                    }
                }

                _frames.Add(new Frame(block.Trim('\n') + "\n\n", offset, ReadDt(data.ToString()), isComment));
            }

            SignalChanged();
        }
    }

    /// <summary>Stops the server, ending idle connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }

        _shutdown.Dispose();
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/v2/stream/{streams}", (RequestDelegate)HandleAsync);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        // Record what the client sent before counting the connection, so a test that sees the count sees the header.
        var lastEventId = ctx.Request.Headers["Last-Event-ID"].ToString();
        _lastEventIds.Enqueue(string.IsNullOrEmpty(lastEventId) ? null : lastEventId);
        _streamsRequested.Enqueue((string?)ctx.Request.RouteValues["streams"] ?? "");
        var attempt = Interlocked.Increment(ref _connectionCount);

        if (attempt <= (_options.Status429Count ?? 0))
        {
            ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ctx.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync("Too Many Requests (simulated)", ctx.RequestAborted);
            return;
        }

        var accepted = Interlocked.Increment(ref _acceptedCount);
        var cutAfter = _options.CutAfterEventsSequence is { } sequence && accepted <= sequence.Count
            ? sequence[accepted - 1]
            : _options.CutAfterEvents;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _shutdown.Token);
        var ct = linked.Token;
        var next = StartIndex(string.IsNullOrEmpty(lastEventId) ? null : lastEventId, ctx.Request.Query["since"].ToString());

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        ctx.Response.Headers.Connection = "keep-alive";
        await ctx.Response.StartAsync(ct);
        if (_options.RetryFieldMs is { } retry)
        {
            await ctx.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"retry: {retry}\n\n"), ct);
            await ctx.Response.Body.FlushAsync(ct);
        }

        var sent = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Frame? frame = null;
                Task changed;
                lock (_framesGate)
                {
                    if (next < _frames.Count)
                    {
                        frame = _frames[next];
                    }

                    changed = _framesChanged.Task;
                }

                if (frame is null)
                {
                    if (_options.EndStreamAtEof)
                    {
                        return;
                    }

                    await changed.WaitAsync(ct);
                    continue;
                }

                if (_options.DelayBetweenEvents is { } delay && delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, ct);
                }

                await ctx.Response.WriteAsync(frame.Text, ct);
                await ctx.Response.Body.FlushAsync(ct);
                next++;
                if (!frame.IsComment)
                {
                    sent++;
                }

                if (cutAfter is { } cut && sent >= cut)
                {
                    await CutConnectionAsync(ctx);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Client went away or the server is stopping.
        }
    }

    /// <summary>
    /// Drops the connection mid-stream: FIN without the terminating chunk, so the client reads the frames already sent
    /// and then sees the response end prematurely. FlushAsync only hands bytes to Kestrel's transport, which sends them
    /// from its own loop, so we wait briefly before shutting the socket; a bare Abort() at once could discard unsent
    /// frames (or reset the connection) and turn the cut into a flaky failure of the request itself.
    /// </summary>
    private static async Task CutConnectionAsync(HttpContext ctx)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        if (ctx.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch (SocketException)
            {
                // Already gone.
            }
            catch (ObjectDisposedException)
            {
                // Same.
            }
        }

        ctx.Abort();
    }

    private int StartIndex(string? lastEventId, string since)
    {
        lock (_framesGate)
        {
            if (lastEventId is not null)
            {
                var (offset, timestamp) = ParseEventId(lastEventId);
                if (offset is { } o)
                {
                    // Resume after the frame with that offset (frames are in offset order).
                    var idx = _frames.FindIndex(f => f.Offset > o);
                    return idx < 0 ? _frames.Count : idx;
                }

                if (timestamp is { } ts)
                {
                    return FirstAtOrAfter(ts);
                }
            }

            if (!string.IsNullOrEmpty(since))
            {
                if (long.TryParse(since, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
                {
                    return FirstAtOrAfter(DateTimeOffset.FromUnixTimeMilliseconds(ms));
                }

                if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dt))
                {
                    return FirstAtOrAfter(dt);
                }
            }

            return 0;
        }
    }

    private int FirstAtOrAfter(DateTimeOffset ts)
    {
        var idx = _frames.FindIndex(f => f.Dt is { } dt && dt >= ts);
        return idx < 0 ? _frames.Count : idx;
    }

    /// <summary>Reads an EventStreams id: a JSON array of {topic, partition, offset | timestamp}. Uses the first usable entry.</summary>
    private static (long? Offset, DateTimeOffset? Timestamp) ParseEventId(string id)
    {
        try
        {
            using var doc = JsonDocument.Parse(id);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return (null, null);
            }

            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.TryGetProperty("offset", out var o) && o.TryGetInt64(out var offset) && offset >= 0)
                {
                    return (offset, null);
                }

                if (e.TryGetProperty("timestamp", out var t) && t.TryGetInt64(out var ms))
                {
                    return (null, DateTimeOffset.FromUnixTimeMilliseconds(ms));
                }
            }
        }
        catch (JsonException)
        {
            // Not an EventStreams id: replay from the start.
        }

        return (null, null);
    }

    private static long? ReadOffset(string id) => ParseEventId(id).Offset;

    private static DateTimeOffset? ReadDt(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("meta", out var meta)
                && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("dt", out var dt)
                && DateTimeOffset.TryParse(dt.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Frames without JSON data have no timestamp.
        }

        return null;
    }

    private void SignalChanged()
    {
        // Caller holds _framesGate.
        var old = _framesChanged;
        _framesChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>A frame to send. Comment-only frames (e.g. EventStreams' ":ok") do not count as events.</summary>
    private sealed record Frame(string Text, long? Offset, DateTimeOffset? Dt, bool IsComment = false);
}
