namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// Recent verdicts of one (wiki, policy) pair: at most <c>size</c> of them and none older than <c>duration</c>,
/// with how many flagged the edit and how many were errors.
/// </summary>
public sealed class VerdictWindow(int size, TimeSpan duration)
{
    private readonly Queue<(DateTimeOffset At, bool Flagged, bool Error)> _entries = new();
    private int _flagged;
    private int _errors;

    public int Count => _entries.Count;

    public double FlaggedShare => _entries.Count == 0 ? 0 : (double)_flagged / _entries.Count;

    public double ErrorShare => _entries.Count == 0 ? 0 : (double)_errors / _entries.Count;

    public void Add(DateTimeOffset at, bool flagged, bool error)
    {
        _entries.Enqueue((at, flagged, error));
        _flagged += flagged ? 1 : 0;
        _errors += error ? 1 : 0;
        Evict(at);
    }

    /// <summary>Drops what fell out of the window by count or by age.</summary>
    public void Evict(DateTimeOffset now)
    {
        while (_entries.Count > 0 && (_entries.Count > size || now - _entries.Peek().At > duration))
        {
            var (_, flagged, error) = _entries.Dequeue();
            _flagged -= flagged ? 1 : 0;
            _errors -= error ? 1 : 0;
        }
    }
}

/// <summary>Why a valve opened: the shares and the sample that crossed the limits.</summary>
public sealed record ValveTrip(string WikiId, string PolicyId, double FlaggedShare, double ErrorShare, int Sample, string Reason);

/// <summary>
/// The safety valve's rule, as AbuseFilter's emergency throttle: per (wiki, policy), a sliding window of recent
/// verdicts (<see cref="TaggerOptions.WindowSize"/>, <see cref="TaggerOptions.WindowDuration"/>); once it holds
/// <see cref="TaggerOptions.MinSample"/> verdicts, a flagged share above <see cref="TaggerOptions.MaxFlagRate"/> or an
/// error share above <see cref="TaggerOptions.MaxErrorRate"/> trips it. Pure: the caller records the opening (a
/// durable fact in Postgres) and stops tagging the pair; only an operator re-arms it. Not thread-safe: one consumer
/// thread owns it.
/// </summary>
public sealed class SafetyValveRule(TaggerOptions options)
{
    private readonly Dictionary<(string Wiki, string Policy), VerdictWindow> _windows = [];

    /// <summary>Adds a verdict to its pair's window; the trip when the window now crosses a limit, else null.</summary>
    public ValveTrip? Record(string wikiId, string policyId, bool flagged, bool error, DateTimeOffset now)
    {
        if (!_windows.TryGetValue((wikiId, policyId), out var window))
        {
            window = new VerdictWindow(options.WindowSize, options.WindowDuration);
            _windows[(wikiId, policyId)] = window;
        }

        window.Add(now, flagged, error);
        if (window.Count < options.MinSample)
        {
            return null;
        }

        string? reason = null;
        if (window.FlaggedShare > options.MaxFlagRate)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"flagged share {window.FlaggedShare:P1} of the last {window.Count} verdicts exceeds Safeguard:Tagging:MaxFlagRate ({options.MaxFlagRate:P1})");
        }
        else if (window.ErrorShare > options.MaxErrorRate)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"error share {window.ErrorShare:P1} of the last {window.Count} verdicts exceeds Safeguard:Tagging:MaxErrorRate ({options.MaxErrorRate:P1})");
        }

        return reason is null ? null : new ValveTrip(wikiId, policyId, window.FlaggedShare, window.ErrorShare, window.Count, reason);
    }

    /// <summary>Forgets a pair's window: after an operator re-arms its valve, the old verdicts must not trip it again at once.</summary>
    public void Forget(string wikiId, string policyId) => _windows.Remove((wikiId, policyId));
}
