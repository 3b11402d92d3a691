namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// How a long command shows its progress (<c>eval</c>, <c>loadtest</c>): on a terminal, one bar redrawn in place at
/// most every 100 ms; to a pipe or file, a plain line every tenth of the way, at most every 10 s, and at the end.
/// Safe to call from several threads.
/// </summary>
internal sealed class TerminalProgress(TimeProvider time, bool plain)
{
    private readonly Lock _gate = new();
    private long _lastDrawn;
    private int _lastDecile;

    /// <summary>Shows progress <paramref name="fraction"/> (0–1); <paramref name="bar"/> and <paramref name="line"/> are only formatted when drawn.</summary>
    public void Report(double fraction, Func<string> bar, Func<string> line, bool final = false)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (plain)
            {
                var decile = (int)(Math.Clamp(fraction, 0, 1) * 10);
                if (decile > _lastDecile || time.GetElapsedTime(_lastDrawn, now) >= TimeSpan.FromSeconds(10) || final)
                {
                    _lastDecile = decile;
                    _lastDrawn = now;
                    Console.WriteLine(line());
                }
            }
            else if (time.GetElapsedTime(_lastDrawn, now) >= TimeSpan.FromMilliseconds(100) || final)
            {
                _lastDrawn = now;
                Console.Write("\r" + bar() + "   ");
            }
        }
    }

    /// <summary>Ends the bar's line on a terminal.</summary>
    public void Finish()
    {
        if (!plain)
        {
            Console.WriteLine();
        }
    }
}
