using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// A fake clock that moves only when the code under test waits out an outage backoff: every timer created with a due
/// time from 1 s to 30 s (the outage backoff's range; tests that use it set longer HTTP timeouts and no HTTP retries) is
/// reported once it exists, and <see cref="DriveAsync"/> then advances the clock by exactly that much. Nothing sleeps.
/// </summary>
public sealed class BackoffClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _backoffs = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>Every backoff waited out, in order.</summary>
    public List<TimeSpan> Waited { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime >= TimeSpan.FromSeconds(1) && dueTime <= TimeSpan.FromSeconds(30))
        {
            _backoffs.Writer.TryWrite(dueTime); // after base.CreateTimer: the timer is armed when the driver sees it
        }

        return timer;
    }

    /// <summary>Advances the clock through each backoff until <paramref name="until"/> completes.</summary>
    public async Task DriveAsync(Task until, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = _backoffs.Reader.ReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(until, next) == until)
            {
                await until;
                return;
            }

            var backoff = await next;
            Waited.Add(backoff);
            Advance(backoff);
        }
    }
}
