using System.Collections.Concurrent;

namespace Safeguard.Stream.Core.Tagging;

/// <summary>The tagger's outcomes in this process, by disposition and reason: for <c>safeguard tagger --drain</c>'s summary.</summary>
public sealed class TaggerTally
{
    private readonly ConcurrentDictionary<(TaggingDisposition Disposition, string Reason), long> _counts = new();

    public void Record(TaggingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _counts.AddOrUpdate((result.Disposition, result.Reason ?? string.Empty), 1, (_, n) => n + 1);
    }

    public long Count(TaggingDisposition disposition) => _counts.Where(c => c.Key.Disposition == disposition).Sum(c => c.Value);

    public long Count(TaggingDisposition disposition, string reason) => _counts.GetValueOrDefault((disposition, reason));

    public long Total => _counts.Values.Sum();

    /// <summary>
    /// <c>tagger: verdicts=N tagged=N already_tagged=N skipped=N held=N dead_lettered=N ignored=N</c>, then one
    /// <c>  outcome reason: N</c> line per reason.
    /// </summary>
    public string Summary()
    {
        var head = "tagger: verdicts=" + Total + string.Concat(Enum.GetValues<TaggingDisposition>()
            .Where(d => d != TaggingDisposition.Ignored).Append(TaggingDisposition.Ignored)
            .Select(d => $" {VerdictTagger.OutcomeName(d)}={Count(d)}"));
        var lines = _counts.Where(c => c.Key.Reason.Length > 0).OrderBy(c => c.Key.Disposition).ThenBy(c => c.Key.Reason, StringComparer.Ordinal)
            .Select(c => $"  {VerdictTagger.OutcomeName(c.Key.Disposition)} {c.Key.Reason}: {c.Value}");
        return string.Join(Environment.NewLine, lines.Prepend(head));
    }
}
