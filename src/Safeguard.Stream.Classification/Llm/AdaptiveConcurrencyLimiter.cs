namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// One limit on the model requests in flight, shared by every (edit, policy) classification, adapted to how the
/// server copes (AIMD). vLLM does not refuse work when it is saturated — it queues it — so the limiter reads one of
/// two congestion signals:
/// <list type="bullet">
/// <item><b>The server's own queue</b> (preferred; <see cref="ObserveServerQueue"/>, fed from vLLM's
/// <c>vllm:num_requests_waiting</c> gauge by <see cref="VllmSchedulerProbe"/>). A request waiting at the server adds
/// latency and no throughput, while a fuller batch adds throughput: decode slows as the batch grows, by design of
/// continuous batching, and that is not congestion. So while the signal is fresh: with nobody waiting, each request
/// completed while the limit was in use (at least half of it in flight) adds 1 (the limit doubles per round of
/// requests, so it reaches the server's batch size in seconds); with requests waiting, each observation takes off
/// half of them (at least 1), so the limit settles where the batch is full and the queue stays near empty. Other
/// clients' waiting requests count too: on a shared server the worker yields.</item>
/// <item><b>Latency</b> (the fallback when the server's metrics cannot be read): each completed request reports its
/// <b>time per completion token</b> (reasoning lengths differ by policy and effort, so raw latency would punish long
/// answers); a slowly rising baseline tracks the best recent value. A request no slower than <see cref="Tolerance"/>
/// × baseline, completed while the limit was in use, adds 1/limit — about +1 per limit's worth of requests; a slower
/// one is a congestion signal.</item>
/// </list>
/// <b>Multiplicative decrease</b>: a slow request (latency signal only), a timeout, a 5xx or an overload answer
/// multiplies the limit by <see cref="BackoffRatio"/>, at most once per generation: requests that started before the
/// last decrease cannot shrink it again, so one burst of failures counts as one congestion signal.
/// The limit stays within [min, max]. <see cref="CurrentLimit"/> and <see cref="InFlight"/> are for metrics.
/// </summary>
public sealed class AdaptiveConcurrencyLimiter
{
    public const double Tolerance = 2.0;
    public const double BackoffRatio = 0.75;

    /// <summary>How fast the baseline follows slower samples (per sample), so a lasting change of load is learnt.</summary>
    private const double BaselineDrift = 0.02;

    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource<ConcurrencyLease>> _waiters = new();
    private readonly int _min;
    private readonly int _max;
    private double _limit;
    private int _inFlight;
    private long _generation;
    private double? _baseline;
    private readonly TimeProvider _timeProvider;
    private long _queueSignalUntil = long.MinValue;
    private int _serverWaiting;

    public AdaptiveConcurrencyLimiter(int minLimit, int maxLimit, int? initialLimit = null, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThan(minLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLimit, minLimit);
        _min = minLimit;
        _max = maxLimit;
        _limit = Math.Clamp(initialLimit ?? minLimit, minLimit, maxLimit);
    }

    /// <summary>Requests allowed in flight now (whole number between the configured bounds).</summary>
    public int CurrentLimit
    {
        get
        {
            lock (_gate)
            {
                return (int)_limit;
            }
        }
    }

    /// <summary>Requests in flight now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Requests waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Requests waiting at the server at its last observation, or null when the queue signal is stale or absent.</summary>
    public int? ServerWaiting
    {
        get
        {
            lock (_gate)
            {
                return QueueSignalFresh() ? _serverWaiting : null;
            }
        }
    }

    public int MinLimit => _min;

    /// <summary>
    /// The server's scheduler as last read: <paramref name="waiting"/> requests queued for a batch slot (everyone's,
    /// not only this worker's). The signal drives the limit until <paramref name="validFor"/> has passed without a new
    /// observation; then the latency rule takes over again.
    /// </summary>
    public void ObserveServerQueue(int waiting, TimeSpan validFor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(waiting);
        lock (_gate)
        {
            _serverWaiting = waiting;
            _queueSignalUntil = _timeProvider.GetTimestamp() + (long)(validFor.TotalSeconds * _timeProvider.TimestampFrequency);
            if (waiting > 0)
            {
                // Half of the queue per observation: the requests already queued still arrive, so a full correction
                // at once would overshoot; the next observation takes the rest.
                _limit = Math.Max(_min, Math.Min(_limit, Math.Max(_inFlight, _min)) - Math.Max(1, waiting / 2));
                _generation++;
            }

            GrantWaiters();
        }
    }

    private bool QueueSignalFresh() => _timeProvider.GetTimestamp() < _queueSignalUntil;

    public int MaxLimit => _max;

    /// <summary>Waits for a slot. Dispose the lease (after reporting how the request went) to give it back.</summary>
    public ValueTask<ConcurrencyLease> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<ConcurrencyLease> waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inFlight < (int)_limit)
            {
                _inFlight++;
                return ValueTask.FromResult(new ConcurrencyLease(this, _generation));
            }

            waiter = new TaskCompletionSource<ConcurrencyLease>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    private static async ValueTask<ConcurrencyLease> WaitAsync(TaskCompletionSource<ConcurrencyLease> waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static state => ((TaskCompletionSource<ConcurrencyLease>)state!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    internal void Release(ConcurrencyLease lease, LeaseOutcome outcome, double? secondsPerToken)
    {
        lock (_gate)
        {
            var inUse = _inFlight;
            _inFlight--;
            switch (outcome)
            {
                case LeaseOutcome.Succeeded when QueueSignalFresh():
                    // The server's queue decides (see the class summary); a slower token rate here is a fuller batch.
                    if (_serverWaiting == 0 && inUse * 2 >= (int)_limit)
                    {
                        _limit = Math.Min(_max, _limit + 1);
                    }

                    break;
                case LeaseOutcome.Succeeded when secondsPerToken is { } sample && sample > 0:
                    if (_baseline is not { } baseline || sample < baseline)
                    {
                        _baseline = sample;
                    }
                    else
                    {
                        _baseline = baseline + ((sample - baseline) * BaselineDrift);
                    }

                    if (sample > _baseline.Value * Tolerance)
                    {
                        Decrease(lease);
                    }
                    else if (inUse * 2 >= (int)_limit)
                    {
                        _limit = Math.Min(_max, _limit + (1.0 / _limit));
                    }

                    break;
                case LeaseOutcome.Dropped:
                    Decrease(lease);
                    break;
            }

            GrantWaiters();
        }
    }

    private void Decrease(ConcurrencyLease lease)
    {
        if (lease.Generation != _generation)
        {
            return;
        }

        _generation++;
        _limit = Math.Max(_min, Math.Floor(_limit * BackoffRatio));
    }

    private void GrantWaiters()
    {
        while (_inFlight < (int)_limit && _waiters.TryDequeue(out var waiter))
        {
            _inFlight++;
            if (!waiter.TrySetResult(new ConcurrencyLease(this, _generation)))
            {
                _inFlight--; // cancelled while queued
            }
        }
    }
}

internal enum LeaseOutcome
{
    /// <summary>Says nothing about the server (client-side error, 4xx, cancellation).</summary>
    Ignored,
    Succeeded,
    Dropped,
}

/// <summary>One request's slot. Report <see cref="Succeeded"/> or <see cref="Dropped"/>, then dispose; disposing alone says nothing about the server.</summary>
public sealed class ConcurrencyLease : IDisposable
{
    private readonly AdaptiveConcurrencyLimiter _limiter;
    private LeaseOutcome _outcome = LeaseOutcome.Ignored;
    private double? _secondsPerToken;
    private int _released;

    internal ConcurrencyLease(AdaptiveConcurrencyLimiter limiter, long generation)
    {
        _limiter = limiter;
        Generation = generation;
    }

    internal long Generation { get; }

    /// <summary>The server answered; <paramref name="latency"/> over <paramref name="completionTokens"/> is the congestion sample.</summary>
    public void Succeeded(TimeSpan latency, int completionTokens)
    {
        _outcome = LeaseOutcome.Succeeded;
        _secondsPerToken = completionTokens > 0 ? latency.TotalSeconds / completionTokens : null;
    }

    /// <summary>The server timed out, failed (5xx) or said it is overloaded (429/503).</summary>
    public void Dropped() => _outcome = LeaseOutcome.Dropped;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _limiter.Release(this, _outcome, _secondsPerToken);
        }
    }
}
