namespace Safeguard.Stream.Fakes;

/// <summary>What a latency model knows about one completion, after the simulator has computed it.</summary>
/// <param name="PromptTokens">Prompt tokens (approximate, see <see cref="SimulatedTokenizer"/>).</param>
/// <param name="CachedPromptTokens">Prompt tokens served from the simulated prefix cache.</param>
/// <param name="CompletionTokens">Generated tokens, reasoning included.</param>
public sealed record VllmLatencyRequest(int PromptTokens, int CachedPromptTokens, int CompletionTokens);

/// <summary>Decides how long <see cref="VllmSimulator"/> takes for a completion. One instance serves all requests concurrently.</summary>
public interface IVllmLatencyModel
{
    /// <summary>Waits as long as the simulated server would take to produce the completion.</summary>
    ValueTask DelayAsync(VllmLatencyRequest request, CancellationToken ct);
}

/// <summary>A latency model that schedules requests like vLLM's engine and can say how many run and wait (for <c>/metrics</c>).</summary>
public interface IVllmSchedulerState
{
    /// <summary>Sequences in the running batch and requests queued for a slot, now.</summary>
    (int Running, int Waiting) SchedulerState();
}

/// <summary>The same delay for every completion, whatever the load.</summary>
public sealed class FixedLatencyModel(TimeSpan latency) : IVllmLatencyModel
{
    /// <inheritdoc />
    public async ValueTask DelayAsync(VllmLatencyRequest request, CancellationToken ct)
    {
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, ct);
        }
    }
}
