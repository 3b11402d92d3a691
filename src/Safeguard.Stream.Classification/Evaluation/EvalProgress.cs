namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>How far an evaluation is, with its rate and an estimate of the time left; formatted for a terminal or a log.</summary>
public readonly record struct EvalProgress(int Done, int Total, int Errors, TimeSpan Elapsed)
{
    /// <summary>Classifications per second so far; null before the first one.</summary>
    public double? Rate => Done > 0 && Elapsed > TimeSpan.Zero ? Done / Elapsed.TotalSeconds : null;

    /// <summary>Time left at the rate so far; null while the rate is unknown.</summary>
    public TimeSpan? Remaining => Rate is { } r ? TimeSpan.FromSeconds(Math.Max(0, Total - Done) / r) : null;

    /// <summary>A bar for a terminal line (written after a carriage return): <c>[#####-----] 120/315  38% 12.3/s ETA 0:16 errors 0</c>.</summary>
    public string Bar(int width = 30)
    {
        var filled = Total == 0 ? width : (int)Math.Round(width * (double)Done / Total);
        return "[" + new string('#', Math.Clamp(filled, 0, width)) + new string('-', width - Math.Clamp(filled, 0, width)) + "] " + Numbers();
    }

    /// <summary>A plain line for logs and pipes: <c>eval: 120/315 (38%) 12.3/s ETA 0:16 errors 0</c>.</summary>
    public string Line() => "eval: " + Numbers();

    private string Numbers()
    {
        var percent = Total == 0 ? 100 : 100.0 * Done / Total;
        var rate = Rate is { } r ? r.ToString(r >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture) + "/s" : "-/s";
        var eta = Remaining is { } left ? Clock(left) : "-";
        return string.Create(CultureInfo.InvariantCulture, $"{Done}/{Total} {percent,3:0}% {rate} ETA {eta} errors {Errors}");
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");
}
