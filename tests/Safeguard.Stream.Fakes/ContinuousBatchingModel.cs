using System.Globalization;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// Parameters of <see cref="ContinuousBatchingModel"/>. The defaults describe gpt-oss-safeguard-20b on one AMD MI210
/// (64 GB HBM2e, 1.6 TB/s, 181 TFLOP/s dense FP16) and are calibrated so that one request of 200 prompt tokens and
/// 100 completion tokens alone takes 1.0 s (20 ms prefill + 100 × 9.8 ms decode), the single-MI210 figure from the
/// model card. Only that end-to-end second is measured; how it splits into prefill and decode, and how decode slows
/// as the batch grows, are assumptions stated on each property.
/// </summary>
public sealed record ContinuousBatchingOptions
{
    /// <summary>
    /// Sequences decoded together at most (vLLM <c>--max-num-seqs</c>); requests beyond it wait in a FIFO queue, as
    /// vLLM's scheduler keeps them (it never answers 429/503 for load). Default 256: vLLM's default for a GPU of this
    /// size. The KV cache is assumed large enough for 256 short (~1k-token) sequences (20B MoE, 64 GB).
    /// </summary>
    public int MaxNumSeqs { get; init; } = 256;

    /// <summary>
    /// Prompt tokens prefilled per second (uncached tokens only). Default 10,000: an ASSUMPTION from compute, about
    /// 2 × 3.6 B active parameters = 7.2 GFLOP per token at ~40 % of the MI210's 181 TFLOP/s. With it, the 200-token
    /// calibration prompt prefills in 20 ms.
    /// </summary>
    public double PrefillTokensPerSecond { get; init; } = 10_000;

    /// <summary>
    /// Time of one decode step with a single sequence, i.e. the inter-token latency alone. Default 9.8 ms: what is left
    /// of the calibrated 1 s after the 20 ms prefill, over 100 tokens (≈102 tokens/s). Consistent with a memory-bound
    /// step that reads ~13 GB of MXFP4 weights at 1.6 TB/s (~8 ms).
    /// </summary>
    public TimeSpan DecodeStepTime { get; init; } = TimeSpan.FromMilliseconds(9.8);

    /// <summary>
    /// How much one decode step slows per extra sequence in the batch: step(b) = <see cref="DecodeStepTime"/> ×
    /// (1 + slowdown × (b − 1)). Default 1/64 — an ASSUMPTION, not a measurement: the step time doubles at 65
    /// sequences and is ~5× at 256, so the server's token throughput still grows with the batch, ever more slowly
    /// (from ~102 tokens/s alone to ~5,200 tokens/s at 256). A real curve is not linear (MoE expert coverage makes
    /// small batches dearer, compute limits large ones); replace it with a measured one when a GPU is at hand.
    /// </summary>
    public double DecodeSlowdownPerSequence { get; init; } = 1.0 / 64;

    /// <summary>
    /// Tokens one step may process, decode and prefill together (vLLM <c>--max-num-batched-tokens</c> with chunked
    /// prefill); a longer prefill is spread over several steps. Default 8,192, vLLM's default for online serving.
    /// </summary>
    public int MaxBatchedTokens { get; init; } = 8_192;

    /// <summary>Clock for the engine's steps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Parses <c>key=value,key=value</c> overrides (max-num-seqs, prefill-tps, decode-ms, slowdown, max-batched-tokens).</summary>
    public static ContinuousBatchingOptions Parse(string? text)
    {
        var options = new ContinuousBatchingOptions();
        if (string.IsNullOrWhiteSpace(text))
        {
            return options;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"capacity model setting '{pair}' is not key=number");
            }

            options = parts[0] switch
            {
                "max-num-seqs" => options with { MaxNumSeqs = (int)value },
                "prefill-tps" => options with { PrefillTokensPerSecond = value },
                "decode-ms" => options with { DecodeStepTime = TimeSpan.FromMilliseconds(value) },
                "slowdown" => options with { DecodeSlowdownPerSequence = value },
                "max-batched-tokens" => options with { MaxBatchedTokens = (int)value },
                _ => throw new FormatException($"unknown capacity model setting '{parts[0]}'"),
            };
        }

        return options;
    }
}

/// <summary>What the engine has served so far (for benchmarks: the workload and the server-side latency).</summary>
public sealed record ContinuousBatchingStats(
    long Requests,
    long Completed,
    long Aborted,
    long PromptTokens,
    long CachedPromptTokens,
    long CompletionTokens,
    long Steps,
    int MaxBatchSeen,
    int MaxQueueSeen,
    TimeSpan BusyTime,
    IReadOnlyList<double> LatenciesMs)
{
    /// <summary>Mean prompt tokens that had to be prefilled (not served from the prefix cache), per completed request.</summary>
    public double MeanUncachedPromptTokens => Completed == 0 ? 0 : (double)(PromptTokens - CachedPromptTokens) / Completed;

    /// <summary>Mean generated tokens per completed request.</summary>
    public double MeanCompletionTokens => Completed == 0 ? 0 : (double)CompletionTokens / Completed;
}

/// <summary>
/// A capacity model of one vLLM engine doing continuous batching, as an <see cref="IVllmLatencyModel"/>. An engine loop
/// runs steps: each step admits waiting requests while fewer than <see cref="ContinuousBatchingOptions.MaxNumSeqs"/>
/// run, prefills their uncached prompt tokens (the prefix cache hit reported in <c>cached_tokens</c> is not prefilled
/// again) within the step's token budget, and decodes one token for every sequence whose prompt is done. A step takes
/// decode(b) + prefill tokens / rate; a request is answered after the step that produced its last token. Steps are
/// scheduled on an absolute clock (late wake-ups do not add up) and the engine idles when nothing is queued.
/// <see cref="CeilingRequestsPerSecond"/> gives the theoretical steady-state throughput for a workload, so a client's
/// efficiency is achieved / ceiling.
/// </summary>
public sealed class ContinuousBatchingModel : IVllmLatencyModel, IVllmSchedulerState, IAsyncDisposable
{
    private readonly ContinuousBatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly List<double> _latencies = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _engine;
    private long _requests;
    private long _completed;
    private long _aborted;
    private long _promptTokens;
    private long _cachedTokens;
    private long _completionTokens;
    private long _steps;
    private int _maxBatch;
    private int _maxQueue;
    private TimeSpan _busy;

    public ContinuousBatchingModel(ContinuousBatchingOptions? options = null)
    {
        _options = options ?? new ContinuousBatchingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxNumSeqs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.PrefillTokensPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.DecodeStepTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.DecodeSlowdownPerSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchedTokens, _options.MaxNumSeqs + 1);
        _time = _options.TimeProvider;
    }

    /// <summary>The parameters in force.</summary>
    public ContinuousBatchingOptions Options => _options;

    /// <summary>Duration of one step decoding <paramref name="batch"/> sequences and prefilling <paramref name="prefillTokens"/> tokens.</summary>
    public TimeSpan StepTime(int batch, int prefillTokens)
    {
        var decode = batch <= 0 ? 0 : _options.DecodeStepTime.TotalSeconds * (1 + (_options.DecodeSlowdownPerSequence * (batch - 1)));
        return TimeSpan.FromSeconds(decode + (prefillTokens / _options.PrefillTokensPerSecond));
    }

    /// <summary>Service time of one request alone on an idle engine (no queue, no other sequence).</summary>
    public TimeSpan SingleRequestTime(double uncachedPromptTokens, double completionTokens) =>
        TimeSpan.FromSeconds((uncachedPromptTokens / _options.PrefillTokensPerSecond) + (completionTokens * _options.DecodeStepTime.TotalSeconds));

    /// <summary>
    /// Theoretical steady-state requests per second with the batch full (<see cref="ContinuousBatchingOptions.MaxNumSeqs"/>
    /// sequences), for requests that prefill <paramref name="uncachedPromptTokens"/> and generate
    /// <paramref name="completionTokens"/> on average: each step decodes B tokens and, to keep the batch full, admits
    /// B / C new requests whose prefill it also does, so requests/s = (B / C) / (decode(B) + (B / C) × U / rate).
    /// Throughput grows with the batch, so this is the ceiling; steps over the token budget are stretched accordingly.
    /// </summary>
    public double CeilingRequestsPerSecond(double uncachedPromptTokens, double completionTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(completionTokens, 1);
        double batch = _options.MaxNumSeqs;
        var admittedPerStep = batch / completionTokens;
        var decode = _options.DecodeStepTime.TotalSeconds * (1 + (_options.DecodeSlowdownPerSequence * (batch - 1)));
        var prefill = admittedPerStep * uncachedPromptTokens / _options.PrefillTokensPerSecond;
        var tokensPerStep = batch + (admittedPerStep * uncachedPromptTokens);
        var stretch = Math.Max(1, tokensPerStep / _options.MaxBatchedTokens);
        return admittedPerStep / ((decode * stretch) + prefill);
    }

    /// <inheritdoc />
    public (int Running, int Waiting) SchedulerState()
    {
        lock (_gate)
        {
            return (_running.Count, _waiting.Count);
        }
    }

    /// <summary>Counters and server-side latencies (arrival to last token) so far.</summary>
    public ContinuousBatchingStats Snapshot()
    {
        lock (_gate)
        {
            return new ContinuousBatchingStats(_requests, _completed, _aborted, _promptTokens, _cachedTokens, _completionTokens,
                _steps, _maxBatch, _maxQueue, _busy, [.. _latencies]);
        }
    }

    /// <summary>Forgets counters and latencies (between benchmark phases); the engine and its queue are untouched.</summary>
    public void ResetStats()
    {
        lock (_gate)
        {
            _requests = _completed = _aborted = _promptTokens = _cachedTokens = _completionTokens = _steps = 0;
            _maxBatch = _maxQueue = 0;
            _busy = TimeSpan.Zero;
            _latencies.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask DelayAsync(VllmLatencyRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sequence = new Sequence(
            Math.Max(0, request.PromptTokens - request.CachedPromptTokens),
            Math.Max(1, request.CompletionTokens),
            _time.GetTimestamp());
        lock (_gate)
        {
            _requests++;
            _promptTokens += request.PromptTokens;
            _cachedTokens += request.CachedPromptTokens;
            _completionTokens += sequence.RemainingDecode;
            _waiting.Enqueue(sequence);
            _maxQueue = Math.Max(_maxQueue, _waiting.Count);
            _engine ??= Task.Run(RunEngineAsync, CancellationToken.None);
            _wake.TrySetResult();
        }

        await using var registration = ct.Register(() => sequence.Done.TrySetCanceled(ct));
        await sequence.Done.Task;
    }

    /// <summary>Stops the engine loop.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_engine is not null)
        {
            try
            {
                await _engine;
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }

        _stop.Dispose();
    }

    private async Task RunEngineAsync()
    {
        var ct = _stop.Token;
        long clock = _time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            Task wake;
            lock (_gate)
            {
                DropAborted();
                if (_waiting.Count == 0 && _running.Count == 0)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wake = _wake.Task;
                }
                else
                {
                    wake = Task.CompletedTask;
                }
            }

            if (!wake.IsCompleted)
            {
                await wake.WaitAsync(ct);
                clock = _time.GetTimestamp(); // idle: the next step starts now
            }

            var (duration, finished) = PlanStep();
            var now = _time.GetTimestamp();
            clock = Math.Max(clock, now - (long)(0.05 * _time.TimestampFrequency)); // never replay more than 50 ms of lag
            var end = clock + (long)(duration.TotalSeconds * _time.TimestampFrequency);
            var wait = _time.GetElapsedTime(now, end);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, ct);
            }

            clock = end;
            lock (_gate)
            {
                _busy += duration;
                foreach (var sequence in finished)
                {
                    _running.Remove(sequence);
                    if (sequence.Done.TrySetResult())
                    {
                        _completed++;
                        _latencies.Add(_time.GetElapsedTime(sequence.Arrived).TotalMilliseconds);
                    }
                }
            }
        }
    }

    /// <summary>Admits, assigns this step's prefill and decode work, and returns its duration and the sequences it finishes.</summary>
    private (TimeSpan Duration, List<Sequence> Finished) PlanStep()
    {
        lock (_gate)
        {
            DropAborted();
            while (_running.Count < _options.MaxNumSeqs && _waiting.TryDequeue(out var next))
            {
                if (!next.Done.Task.IsCompleted)
                {
                    _running.Add(next);
                }
            }

            // Decode first (one token per sequence whose prompt is done), then prefill chunks within the budget.
            var budget = _options.MaxBatchedTokens;
            var decoding = new List<Sequence>(_running.Count);
            foreach (var s in _running)
            {
                if (s.RemainingPrefill == 0)
                {
                    decoding.Add(s);
                }
            }

            budget -= decoding.Count;
            var prefill = 0;
            foreach (var s in _running)
            {
                if (s.RemainingPrefill > 0 && budget > 0)
                {
                    var chunk = Math.Min(s.RemainingPrefill, budget);
                    s.RemainingPrefill -= chunk;
                    budget -= chunk;
                    prefill += chunk;
                    if (s.RemainingPrefill == 0)
                    {
                        decoding.Add(s); // the step that finishes a prompt samples its first token
                    }
                }
            }

            var finished = new List<Sequence>();
            foreach (var s in decoding)
            {
                s.RemainingDecode--;
                if (s.RemainingDecode <= 0)
                {
                    finished.Add(s);
                }
            }

            _steps++;
            _maxBatch = Math.Max(_maxBatch, decoding.Count);
            return (StepTime(decoding.Count, prefill), finished);
        }
    }

    private void DropAborted()
    {
        var removed = _running.RemoveAll(s => s.Done.Task.IsCompleted);
        _aborted += removed;
    }

    private sealed class Sequence(int prefill, int decode, long arrived)
    {
        public int RemainingPrefill { get; set; } = prefill;

        public int RemainingDecode { get; set; } = decode;

        public long Arrived { get; } = arrived;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
