namespace Safeguard.Stream.Core.Tagging;

/// <summary>One verdict as the safety valve counts it: which pair, which revision (a verdict read twice counts once), when.</summary>
public sealed record ValveVerdict(string WikiId, string PolicyId, long RevId, bool Flagged, bool Error, DateTimeOffset At);

/// <summary>A (wiki, policy) pair's window of recent verdicts, as the store counted it: how many, how many flagged, how many errors.</summary>
public readonly record struct WindowCounts(int Sample, int Flagged, int Errors)
{
    public double FlaggedShare => Sample == 0 ? 0 : (double)Flagged / Sample;

    public double ErrorShare => Sample == 0 ? 0 : (double)Errors / Sample;
}

/// <summary>Why a valve opened: the shares and the sample that crossed the limits.</summary>
public sealed record ValveTrip(string WikiId, string PolicyId, double FlaggedShare, double ErrorShare, int Sample, string Reason);

/// <summary>
/// The safety valve's rule, as AbuseFilter's emergency throttle: per (wiki, policy), a sliding window of recent
/// verdicts (at most <see cref="TaggerOptions.WindowSize"/>, none older than <see cref="TaggerOptions.WindowDuration"/>);
/// once it holds <see cref="TaggerOptions.MinSample"/> verdicts, a flagged share above
/// <see cref="TaggerOptions.MaxFlagRate"/> or an error share above <see cref="TaggerOptions.MaxErrorRate"/> trips it.
/// Pure: the window itself lives in the store (<see cref="ITaggingStore.RecordInWindowAsync"/>, Postgres), so every
/// replica counts the same verdicts and a restart forgets none; the caller records the opening and stops tagging the
/// pair; only an operator re-arms it, which empties the window.
/// </summary>
public sealed class SafetyValveRule(TaggerOptions options)
{
    /// <summary>The trip when the pair's window crosses a limit, else null.</summary>
    public ValveTrip? Evaluate(string wikiId, string policyId, WindowCounts window)
    {
        if (window.Sample < options.MinSample)
        {
            return null;
        }

        string? reason = null;
        if (window.FlaggedShare > options.MaxFlagRate)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"flagged share {window.FlaggedShare:P1} of the last {window.Sample} verdicts exceeds Safeguard:Tagging:MaxFlagRate ({options.MaxFlagRate:P1})");
        }
        else if (window.ErrorShare > options.MaxErrorRate)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"error share {window.ErrorShare:P1} of the last {window.Sample} verdicts exceeds Safeguard:Tagging:MaxErrorRate ({options.MaxErrorRate:P1})");
        }

        return reason is null ? null : new ValveTrip(wikiId, policyId, window.FlaggedShare, window.ErrorShare, window.Sample, reason);
    }
}
