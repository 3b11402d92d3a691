namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>
/// One labeled edit of an evaluation dataset (a line of <c>tests/data/eval/*.jsonl</c>):
/// <c>{id, wiki, lang, title, comment, added_text, removed_text, label, ...}</c>. Optional fields read here:
/// <c>category</c> or <c>label_detail</c> (what kind of positive or negative it is), <c>namespace</c> and <c>domain</c>.
/// </summary>
public sealed record EvalRecord
{
    /// <summary>1-based line in the dataset file, so every problem and prediction can point back at it.</summary>
    public required int Line { get; init; }
    public required string Id { get; init; }
    public required string Wiki { get; init; }
    public required string Lang { get; init; }
    public required string Domain { get; init; }
    public string? Title { get; init; }
    public string? Comment { get; init; }
    public string? AddedText { get; init; }
    public string? RemovedText { get; init; }
    public required string Label { get; init; }

    /// <summary>True when <see cref="Label"/> is one of the positive labels (the policy should flag it).</summary>
    public required bool Truth { get; init; }

    /// <summary>The record's own <c>category</c> field, else its <c>label_detail</c>; null when it has neither.</summary>
    public string? Category { get; init; }
    public int Namespace { get; init; }

    /// <summary>
    /// The edit as the live pipeline would hand it to the classifier: an <see cref="EditEvent"/> for the record's wiki
    /// and a <see cref="DiffText"/> whose added and removed lines are the record's text. The classifier then renders
    /// and budgets it exactly as it does for live edits.
    /// </summary>
    public ClassificationRequest ToClassificationRequest(DateTimeOffset now)
    {
        var edit = new EditEvent
        {
            SchemaUri = "eval",
            Stream = "eval",
            Domain = Domain,
            WikiId = Wiki,
            // Revision ids are numeric for real datasets; other ids (e.g. "jigsaw-test-001") get the line number.
            RevId = long.TryParse(Id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rev) ? rev : Line,
            Kind = EditKind.Edit,
            SourceKind = "eval",
            PageTitle = Title ?? "",
            Namespace = Namespace,
            EventTime = now,
            Comment = Comment,
        };
        return new ClassificationRequest(edit, new DiffText(Lines(AddedText), Lines(RemovedText), []));
    }

    private static string[] Lines(string? text) => string.IsNullOrEmpty(text) ? [] : text.Split('\n');
}

/// <summary>Which labels count as positive (the policy should flag the edit) and which as negative; any other label is unknown.</summary>
public sealed class EvalLabels
{
    private static readonly string[] s_conventionalNegatives = ["constructive", "non_toxic", "nontoxic", "safe", "benign", "ok", "good", "clean", "negative"];

    public EvalLabels(IEnumerable<string> positive, IEnumerable<string> negative)
    {
        Positive = [.. positive.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        Negative = [.. negative.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        if (Positive.Count == 0)
        {
            throw new ArgumentException("at least one positive label is needed", nameof(positive));
        }

        var both = Positive.Intersect(Negative, StringComparer.OrdinalIgnoreCase).ToList();
        if (both.Count > 0)
        {
            throw new ArgumentException($"labels both positive and negative: {string.Join(", ", both)}", nameof(negative));
        }
    }

    public IReadOnlyList<string> Positive { get; }
    public IReadOnlyList<string> Negative { get; }

    /// <summary>
    /// The labels for a policy: the positive ones given (default: the policy id, e.g. <c>vandalism</c>), and the negative
    /// ones given (default: conventional negatives such as <c>constructive</c>, <c>non_toxic</c>, <c>safe</c>, plus
    /// <c>not_&lt;positive&gt;</c> and <c>non_&lt;positive&gt;</c>).
    /// </summary>
    public static EvalLabels For(string policyId, IReadOnlyList<string>? positive, IReadOnlyList<string>? negative)
    {
        var positives = positive is { Count: > 0 } ? positive : [policyId];
        if (negative is { Count: > 0 })
        {
            return new EvalLabels(positives, negative); // a label given as both is a mistake: the constructor says so
        }

        IEnumerable<string> conventional = [.. s_conventionalNegatives, .. positives.SelectMany(p => new[] { "not_" + p, "non_" + p, "non-" + p })];
        return new EvalLabels(positives, conventional.Where(n => !positives.Contains(n, StringComparer.OrdinalIgnoreCase)));
    }

    /// <summary>True for a positive label, false for a negative one, null for an unknown one (case-insensitive).</summary>
    public bool? Truth(string label) =>
        Positive.Contains(label, StringComparer.OrdinalIgnoreCase) ? true
        : Negative.Contains(label, StringComparer.OrdinalIgnoreCase) ? false
        : null;
}
