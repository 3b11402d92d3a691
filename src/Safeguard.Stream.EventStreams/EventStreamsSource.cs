using System.Net;
using System.Net.ServerSentEvents;
using Polly.Retry;

namespace Safeguard.Stream.EventStreams;

/// <summary>
/// Reads Wikimedia EventStreams over SSE. Resumes from the checkpointed SSE id (sent as <c>Last-Event-ID</c>), or
/// from <c>since</c>/now when there is none; reconnects with exponential backoff and jitter after disconnects,
/// 429s and 5xx; a watchdog reconnects when no event arrives within <see cref="SourceOptions.StallTimeout"/>.
/// </summary>
public sealed partial class EventStreamsSource(
    IHttpClientFactory httpClientFactory,
    ICheckpointStore checkpoints,
    IOptions<SourceOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    ILogger<EventStreamsSource> logger) : IEventSource, ISourceHealth
{
    public const string HttpClientName = "eventstreams";
    private readonly SourceOptions _options = options.Value;
    private long _sequence;
    private string? _lastEventId;
    private TimeSpan? _serverRetry;
    private TimeSpan? _retryAfter;
    private int _consecutiveFailures;

    private long _lastEventTicks;
    private long _disconnectedSinceTicks;

    public string Name => _options.CheckpointName;

    public SourceHealthReport Health
    {
        get
        {
            var last = Interlocked.Read(ref _lastEventTicks);
            var down = Interlocked.Read(ref _disconnectedSinceTicks);
            return new SourceHealthReport(
                down == 0,
                last == 0 ? null : new DateTimeOffset(last, TimeSpan.Zero),
                down == 0 ? null : new DateTimeOffset(down, TimeSpan.Zero));
        }
    }

    public async Task RunAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        MarkDisconnected();
        _lastEventId = await checkpoints.LoadAsync(Name, cancellationToken);

        // Polly owns the reconnect loop. The backoff counts consecutive failed connections only: a connection that
        // delivered events resets it, so a stream that is cut every few minutes reconnects after about a second.
        var reconnect = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested),
                DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(NextDelay()),
                OnRetry = args =>
                {
                    telemetry.SseReconnects.Add(1);
                    Log.Reconnecting(logger, _consecutiveFailures, args.RetryDelay, args.Outcome.Exception?.GetType().Name ?? "end of stream");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        await reconnect.ExecuteAsync(async ct => await ReadOnceAsync(output, ct), cancellationToken);
    }

    /// <summary>
    /// Exponential backoff with full jitter from the server's <c>retry:</c> interval (or 1 s), capped; a
    /// <c>Retry-After</c> on 429/5xx is honoured as a floor.
    /// </summary>
    internal TimeSpan NextDelay()
    {
        var baseDelay = _serverRetry ?? TimeSpan.FromSeconds(1);
        var exponent = Math.Min(_consecutiveFailures, 16);
        var ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(Math.Max(baseDelay.TotalMilliseconds / 2, Random.Shared.NextDouble() * ceiling));
        if (_retryAfter is { } floor && floor > delay)
        {
            delay = floor;
        }

        _retryAfter = null;
        _consecutiveFailures++;
        return delay;
    }

    private async Task ReadOnceAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, RequestUri());
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        if (_lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", _lastEventId);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.StallTimeout);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            // EventStreams allows two connections per client IP and answers 429 beyond that.
            _retryAfter = response.Headers.RetryAfter?.Delta;
            throw new HttpRequestException($"EventStreams answered HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        response.EnsureSuccessStatusCode();
        Interlocked.Exchange(ref _disconnectedSinceTicks, 0);
        Log.Connected(logger, _options.Url, _lastEventId is not null);
        await using var stream = await response.Content.ReadAsStreamAsync(stall.Token);
        var parser = SseParser.Create(stream, (_, data) => data.ToArray());
        try
        {
            await foreach (var frame in parser.EnumerateAsync(stall.Token))
            {
                stall.CancelAfter(_options.StallTimeout);
                if (parser.ReconnectionInterval > TimeSpan.Zero)
                {
                    _serverRetry = parser.ReconnectionInterval;
                }

                _consecutiveFailures = 0;
                Interlocked.Exchange(ref _lastEventTicks, timeProvider.GetUtcNow().UtcTicks);
                if (frame.EventType != "message")
                {
                    continue;
                }

                var id = frame.EventId ?? parser.LastEventId;
                var item = new SourceEvent(++_sequence, Name, id, frame.Data)
                {
                    Rejection = frame.Data.Length > _options.MaxEventBytes
                        ? (EventParseError.TooLarge, $"event of {frame.Data.Length} bytes exceeds Safeguard:Source:MaxEventBytes")
                        : null,
                };
                await output.WriteAsync(item, cancellationToken);
                _lastEventId = string.IsNullOrEmpty(id) ? _lastEventId : id;
            }
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            MarkDisconnected();
            throw new TimeoutException($"no event for {_options.StallTimeout}; reconnecting");
        }
        catch
        {
            MarkDisconnected();
            throw;
        }

        MarkDisconnected();

        // The server closed the stream (EventStreams does so every few minutes): reconnect from the last id.
        throw new EndOfStreamException("EventStreams closed the connection");
    }

    private void MarkDisconnected() =>
        Interlocked.CompareExchange(ref _disconnectedSinceTicks, timeProvider.GetUtcNow().UtcTicks, 0);

    private Uri RequestUri()
    {
        if (_lastEventId is not null || string.Equals(_options.StartAt, "now", StringComparison.OrdinalIgnoreCase))
        {
            return _options.Url;
        }

        if (!DateTimeOffset.TryParse(_options.StartAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
        {
            throw new OptionsValidationException(SourceOptions.SectionName, typeof(SourceOptions),
                [$"Safeguard:Source:StartAt must be 'now' or an ISO-8601 time, was '{_options.StartAt}'"]);
        }

        var builder = new UriBuilder(_options.Url);
        var separator = string.IsNullOrEmpty(builder.Query) ? string.Empty : builder.Query.TrimStart('?') + "&";
        builder.Query = separator + "since=" + Uri.EscapeDataString(since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        return builder.Uri;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, EventName = "SseConnected", Level = LogLevel.Information,
            Message = "Connected to {Url} (resuming: {Resuming})")]
        public static partial void Connected(ILogger logger, Uri url, bool resuming);

        [LoggerMessage(EventId = 1002, EventName = "SseReconnecting", Level = LogLevel.Warning,
            Message = "Reconnecting to EventStreams (attempt {Attempt}) in {Delay} after {Cause}")]
        public static partial void Reconnecting(ILogger logger, int attempt, TimeSpan delay, string cause);
    }
}
