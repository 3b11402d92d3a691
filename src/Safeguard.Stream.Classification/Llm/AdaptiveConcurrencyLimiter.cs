namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// One limit on the model requests in flight, shared by every (edit, policy) classification, adapted to how the
/// server copes (AIMD). vLLM does not refuse work when it is saturated — it queues it, so the signal is latency:
/// <list type="bullet">
/// <item>Each completed request reports its <b>time per completion token</b> (reasoning lengths differ by policy and
/// effort, so raw latency would punish long answers). A slowly rising baseline tracks the best recent value.</item>
/// <item><b>Additive increase</b>: a request no slower than <see cref="Tolerance"/> × baseline, completed while the
/// limit was actually in use (at least half of it in flight), adds 1/limit — about +1 per limit's worth of requests.</item>
/// <item><b>Multiplicative decrease</b>: a slow request, a timeout, a 5xx or an overload answer multiplies the limit by
/// <see cref="BackoffRatio"/>, at most once per generation: requests that started before the last decrease cannot
/// shrink it again, so one burst of failures counts as one congestion signal.</item>
/// </list>
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

    public AdaptiveConcurrencyLimiter(int minLimit, int maxLimit, int? initialLimit = null)
    {
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

    public int MinLimit => _min;

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
