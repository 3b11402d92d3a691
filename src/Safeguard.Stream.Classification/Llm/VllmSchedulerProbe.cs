namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Reads vLLM's scheduler gauge <c>vllm:num_requests_waiting</c> from its Prometheus <c>/metrics</c> endpoint every
/// <see cref="LlmOptions.SchedulerProbeInterval"/> and hands it to the <see cref="AdaptiveConcurrencyLimiter"/>, which
/// then sizes the requests in flight by the server's queue instead of by latency (see the limiter). Where the metrics
/// cannot be read (a gateway in front of vLLM, another server), the limiter keeps its latency rule; the probe retries
/// every <see cref="RetryAfterFailure"/> and logs only when the state changes.
/// </summary>
public sealed partial class VllmSchedulerProbe(
    IOptions<LlmOptions> options,
    AdaptiveConcurrencyLimiter limiter,
    IHttpClientFactory httpClientFactory,
    ILogger<VllmSchedulerProbe> logger) : BackgroundService
{
    public const string HttpClientName = "vllm-metrics";
    public const string WaitingGauge = "vllm:num_requests_waiting";

    /// <summary>The shortest time one reading stays in force.</summary>
    public static readonly TimeSpan MinimumValidity = TimeSpan.FromSeconds(2);

    /// <summary>How long the probe waits after a failed read before trying again.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    /// <summary>The metrics URL: <see cref="LlmOptions.MetricsEndpoint"/>, else the API endpoint's root (without <c>/v1</c>) + <c>/metrics</c>.</summary>
    public static Uri MetricsUri(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MetricsEndpoint is { } explicitUri)
        {
            return explicitUri;
        }

        var path = options.Endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.Ordinal))
        {
            path = path[..^3];
        }

        return new UriBuilder(options.Endpoint) { Path = path + "/metrics", Query = string.Empty }.Uri;
    }

    /// <summary>
    /// The sum of <paramref name="gauge"/> over its label sets (one per engine with data parallelism) in a Prometheus
    /// text exposition, or null when the series is absent or a sample is unreadable.
    /// </summary>
    public static int? ReadGauge(string exposition, string gauge)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        ArgumentException.ThrowIfNullOrEmpty(gauge);
        double? total = null;
        foreach (var raw in exposition.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (!line.StartsWith(gauge, StringComparison.Ordinal) || line.Length == gauge.Length)
            {
                continue;
            }

            var next = line[gauge.Length];
            if (next != '{' && next != ' ')
            {
                continue; // another series sharing the prefix
            }

            var rest = next == '{' ? line[(line.IndexOf('}') + 1)..].TrimStart() : line[gauge.Length..].TrimStart();
            var end = rest.IndexOf(' '); // an optional timestamp follows the value
            var value = end < 0 ? rest : rest[..end];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var sample) || double.IsNaN(sample) || sample < 0)
            {
                return null;
            }

            total = (total ?? 0) + sample;
        }

        return total is { } sum ? (int)Math.Min(int.MaxValue, Math.Round(sum)) : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var llm = options.Value;
        if (!llm.SchedulerProbe)
        {
            return;
        }

        var uri = MetricsUri(llm);
        var interval = llm.SchedulerProbeInterval;
        var http = httpClientFactory.CreateClient(HttpClientName);
        bool? reading = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var problem = await ProbeOnceAsync(http, uri, llm, stoppingToken);
            if (problem is null && reading != true)
            {
                Log.Reading(logger, uri);
            }
            else if (problem is not null && reading != false)
            {
                Log.Unreadable(logger, uri, problem, RetryAfterFailure);
            }

            reading = problem is null;
            try
            {
                await Task.Delay(problem is null ? interval : RetryAfterFailure, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One read; null when the limiter got an observation, else what went wrong.</summary>
    private async Task<string?> ProbeOnceAsync(HttpClient http, Uri uri, LlmOptions llm, CancellationToken cancellationToken)
    {
        var timeout = llm.SchedulerProbeInterval * 2 < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : llm.SchedulerProbeInterval * 2;
        var (waiting, problem) = await ReadWaitingAsync(http, uri, llm, timeout, cancellationToken);
        if (waiting is { } value)
        {
            // Three missed reads (at least 2 s) make the signal stale, so a probe that stops answering hands back to the
            // latency rule, while one slow scrape on a busy machine does not flip the rule.
            limiter.ObserveServerQueue(value, TimeSpan.FromTicks(Math.Max(llm.SchedulerProbeInterval.Ticks * 3, MinimumValidity.Ticks)));
        }

        return problem;
    }

    /// <summary>
    /// Reads <see cref="WaitingGauge"/> once from <paramref name="uri"/> (with the API key, bounded by
    /// <paramref name="timeout"/>): the queue length, or null and what went wrong. Shared by the probe and
    /// <c>safeguard llm check</c>.
    /// </summary>
    public static async Task<(int? Waiting, string? Problem)> ReadWaitingAsync(
        HttpClient http, Uri uri, LlmOptions llm, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = LlmModelsProbe.Get(uri, llm);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            var waiting = ReadGauge(await response.Content.ReadAsStringAsync(limit.Token), WaitingGauge);
            return waiting is null ? (null, $"no readable {WaitingGauge} series") : (waiting, null);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, ex is OperationCanceledException ? "timed out" : ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, EventName = "SchedulerMetricsReading", Level = LogLevel.Information,
            Message = "Reading the model server's queue from {MetricsUri}: the concurrency limit follows vllm:num_requests_waiting")]
        public static partial void Reading(ILogger logger, Uri metricsUri);

        [LoggerMessage(EventId = 3011, EventName = "SchedulerMetricsUnreadable", Level = LogLevel.Information,
            Message = "The model server's metrics at {MetricsUri} are unreadable ({Problem}); the concurrency limit follows latency; next try in {RetryAfter}")]
        public static partial void Unreadable(ILogger logger, Uri metricsUri, string problem, TimeSpan retryAfter);
    }
}
