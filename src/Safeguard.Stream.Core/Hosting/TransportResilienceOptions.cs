using Polly.CircuitBreaker;

namespace Safeguard.Stream.Core.Hosting;

/// <summary>
/// What every client's transport pipeline is set by alike (the model client, the wiki client): the circuit breaker
/// and the longest <c>Retry-After</c> honoured. The properties sit flat in the component's own section
/// (<c>Safeguard:Llm:BreakerFailureRatio</c>, <c>Safeguard:MediaWiki:BreakerFailureRatio</c>), validated with it.
/// </summary>
public abstract class TransportResilienceOptions
{
    /// <summary>Longest <c>Retry-After</c> honoured (maxlag, 429, 503); longer values are capped to it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Circuit breaker: share of failed requests in <see cref="BreakerSamplingDuration"/> that opens it.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: requests needed in the sampling window before it may open.</summary>
    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 20;

    /// <summary>Circuit breaker: the window over which failures are counted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails requests at once before letting one through.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Sets a pipeline's circuit breaker from these options.</summary>
    public void ApplyTo<TResult>(CircuitBreakerStrategyOptions<TResult> breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        breaker.FailureRatio = BreakerFailureRatio;
        breaker.MinimumThroughput = BreakerMinimumThroughput;
        breaker.SamplingDuration = BreakerSamplingDuration;
        breaker.BreakDuration = BreakerBreakDuration;
    }
}
