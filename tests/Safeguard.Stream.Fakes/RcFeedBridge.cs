using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="RcFeedBridge"/>.</summary>
public sealed record RcFeedBridgeOptions
{
    /// <summary>Kafka topic written into the SSE ids, as EventStreams does.</summary>
    public string Topic { get; init; } = "eqiad.mediawiki.recentchange";
}

/// <summary>
/// Turns a real MediaWiki's UDP RC feed (<c>$wgRCFeeds</c>, <c>JSONRCFeedFormatter</c>: one JSON object per datagram)
/// into <c>mediawiki.recentchange</c> events served over SSE at <c>/v2/stream/mediawiki.recentchange</c>, as
/// EventStreams does: each event gains <c>$schema</c>, <c>meta</c> (<c>uri</c>, <c>id</c>, <c>dt</c>,
/// <c>domain</c>, <c>stream</c>, <c>request_id</c>, <c>topic</c>, <c>partition</c>, <c>offset</c>) and
/// <c>parsedcomment</c>.
/// <para>
/// One rewrite: the local wiki's <c>$wgServer</c> is <c>http://127.0.0.1:PORT</c>, so its <c>server_name</c> says
/// 127.0.0.1. The wiki's domain is read from <c>server_script_path</c> (<c>/{domain}/w</c>, the shape
/// <see cref="MediaWikiServer"/> serves) and written to <c>meta.domain</c> and <c>server_name</c>, where Wikimedia's
/// events carry it.
/// </para>
/// </summary>
public sealed class RcFeedBridge : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly SseReplayServer _sse;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _malformed;

    private readonly string _topic;

    private RcFeedBridge(UdpClient udp, SseReplayServer sse, string topic)
    {
        _topic = topic;
        _udp = udp;
        _sse = sse;
        _receiving = ReceiveAsync(_stop.Token);
    }

    /// <summary>Where the wiki sends its datagrams (127.0.0.1, a free port).</summary>
    public IPEndPoint UdpEndpoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary><c>http://127.0.0.1:{port}/v2/stream/mediawiki.recentchange</c>.</summary>
    public Uri StreamUrl => _sse.StreamUrl("mediawiki.recentchange");

    /// <summary>The events served so far, as JSON, in arrival order.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Datagrams that were not a JSON object (counted, not served).</summary>
    public int MalformedCount => Volatile.Read(ref _malformed);

    public static async Task<RcFeedBridge> StartAsync(RcFeedBridgeOptions? options = null, int ssePort = 0, CancellationToken ct = default)
    {
        options ??= new RcFeedBridgeOptions();
        var sse = await SseReplayServer.StartAsync(new SseReplayServerOptions { Topic = options.Topic, EndStreamAtEof = false }, ssePort, ct);
        var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return new RcFeedBridge(udp, sse, options.Topic);
    }

    /// <summary>Waits until at least <paramref name="count"/> events were served and returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForEventsAsync(int count, TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_events.Count >= count)
                {
                    return [.. _events];
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the RC feed sent {Events.Count} events within {timeout}, {count} expected");
            }
        }
    }

    /// <summary>
    /// One RC feed datagram as EventStreams serves it. Null when it is not a JSON object. Public for the bridge's
    /// own tests.
    /// </summary>
    public static string? ToRecentChangeEvent(string datagram, string topic, long offset, DateTimeOffset receivedAt)
    {
        JsonObject change;
        try
        {
            if (JsonNode.Parse(datagram) is not JsonObject parsed)
            {
                return null;
            }

            change = parsed;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        var scriptPath = (string?)change["server_script_path"] ?? "";
        var segments = scriptPath.Trim('/').Split('/');
        var domain = segments.Length == 2 && segments[1] == "w" && segments[0].Contains('.', StringComparison.Ordinal)
            ? segments[0]
            : (string?)change["server_name"] ?? "unknown";
        var title = (string?)change["title"] ?? "";
        var timestamp = change["timestamp"] is JsonValue t && t.TryGetValue<long>(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : receivedAt;
        change["server_name"] = domain;
        change["parsedcomment"] = WebUtility.HtmlEncode((string?)change["comment"] ?? "");

        var result = new JsonObject
        {
            ["$schema"] = "/mediawiki/recentchange/1.0.0",
            ["meta"] = new JsonObject
            {
                ["uri"] = $"https://{domain}/wiki/{Uri.EscapeDataString(title.Replace(' ', '_'))}",
                ["request_id"] = Guid.NewGuid().ToString(),
                ["id"] = Guid.NewGuid().ToString(),
                ["dt"] = timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["domain"] = domain,
                ["stream"] = "mediawiki.recentchange",
                ["topic"] = topic,
                ["partition"] = 0,
                ["offset"] = offset,
            },
        };
        foreach (var (key, value) in change.ToList())
        {
            change.Remove(key);
            result[key] = value;
        }

        return result.ToJsonString();
    }

    private async Task ReceiveAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _udp.ReceiveAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            lock (_gate)
            {
                var json = ToRecentChangeEvent(Encoding.UTF8.GetString(datagram.Buffer), _topic, _events.Count, TimeProvider.System.GetUtcNow());
                if (json is null)
                {
                    Interlocked.Increment(ref _malformed);
                    continue;
                }

                _events.Add(json);
                _sse.AppendEvent(json);
                var old = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                old.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
        }

        await _sse.DisposeAsync();
        _stop.Dispose();
    }
}
