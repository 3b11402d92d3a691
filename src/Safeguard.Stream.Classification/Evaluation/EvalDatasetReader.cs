namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>A dataset line that was left out of the evaluation, and why.</summary>
public sealed record EvalDatasetProblem(int Line, string Message)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}: {Message}");
}

/// <summary>The usable records of a dataset and the lines left out.</summary>
public sealed record EvalDataset(IReadOnlyList<EvalRecord> Records, IReadOnlyList<EvalDatasetProblem> Problems, int LinesRead)
{
    /// <summary>True when <c>--limit</c> stopped reading before the end of the file.</summary>
    public bool Limited { get; init; }
}

/// <summary>
/// Reads evaluation JSONL. A bad line never stops the run: invalid JSON, a missing or empty required field
/// (<c>id</c>, <c>wiki</c>, <c>lang</c>, <c>label</c>), a missing text field (<c>title</c>, <c>comment</c>,
/// <c>added_text</c>, <c>removed_text</c>: present, string or null), nothing to classify, a label that is neither
/// positive nor negative, a wiki with no known host name, or a repeated id is reported with its line number and left
/// out of the metrics. Blank lines are ignored.
/// </summary>
public static class EvalDatasetReader
{
    private static readonly string[] s_requiredStrings = ["id", "wiki", "lang", "label"];
    private static readonly string[] s_textFields = ["title", "comment", "added_text", "removed_text"];

    public static async Task<EvalDataset> ReadAsync(TextReader reader, EvalLabels labels, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
        }

        return Parse(lines, labels, limit);
    }

    /// <summary>Parses lines (line 1 first); stops once <paramref name="limit"/> usable records are read.</summary>
    public static EvalDataset Parse(IEnumerable<string> lines, EvalLabels labels, int? limit)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(labels);
        var records = new List<EvalRecord>();
        var problems = new List<EvalDatasetProblem>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        var limited = false;
        foreach (var line in lines)
        {
            if (limit is { } max && records.Count >= max)
            {
                limited = true;
                break;
            }

            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (record, problem) = ParseLine(number, line, labels);
            if (record is not null && seen.TryGetValue(record.Id, out var first))
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"id '{record.Id}' repeats line {first}");
                record = null;
            }

            if (record is null)
            {
                problems.Add(new EvalDatasetProblem(number, problem!));
                continue;
            }

            seen[record.Id] = number;
            records.Add(record);
        }

        return new EvalDataset(records, problems, number) { Limited = limited };
    }

    private static (EvalRecord? Record, string? Problem) ParseLine(int number, string line, EvalLabels labels)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            return (null, "not valid JSON: " + ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "not a JSON object");
            }

            var missing = s_requiredStrings.Where(f => !root.TryGetProperty(f, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                .Concat(s_textFields.Where(f => !root.TryGetProperty(f, out var v) || v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)))
                .ToList();
            if (missing.Count > 0)
            {
                return (null, "missing or invalid field" + (missing.Count > 1 ? "s " : " ") + string.Join(", ", missing));
            }

            var added = Text(root, "added_text");
            var removed = Text(root, "removed_text");
            var comment = Text(root, "comment");
            if (string.IsNullOrEmpty(added) && string.IsNullOrEmpty(removed) && string.IsNullOrEmpty(comment))
            {
                return (null, "nothing to classify: added_text, removed_text and comment are all empty");
            }

            var label = root.GetProperty("label").GetString()!;
            if (labels.Truth(label) is not { } truth)
            {
                return (null, $"unknown label '{label}' (positive: {string.Join(", ", labels.Positive)}; negative: {string.Join(", ", labels.Negative)})");
            }

            var wiki = root.GetProperty("wiki").GetString()!;
            var domain = Text(root, "domain") ?? WikiDomains.DomainFor(wiki);
            if (domain is null)
            {
                return (null, $"wiki '{wiki}' has no known host name; add a \"domain\" field");
            }

            var ns = root.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var parsed) ? parsed : 0;
            return (new EvalRecord
            {
                Line = number,
                Id = root.GetProperty("id").GetString()!,
                Wiki = wiki,
                Lang = root.GetProperty("lang").GetString()!,
                Domain = domain,
                Title = Text(root, "title"),
                Comment = comment,
                AddedText = added,
                RemovedText = removed,
                Label = label,
                Truth = truth,
                Category = NonEmpty(Text(root, "category")) ?? NonEmpty(Text(root, "label_detail")),
                Namespace = ns,
            }, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
