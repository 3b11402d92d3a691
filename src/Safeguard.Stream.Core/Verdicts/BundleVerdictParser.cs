namespace Safeguard.Stream.Core.Verdicts;

/// <summary>
/// Reads a bundled answer, <c>{"spam": {"violation": …}, "vandalism": {…}}</c>: each policy's object is read by
/// <see cref="VerdictParser"/> as if it had been answered alone. A policy whose key is missing or whose object is not
/// a verdict gets a problem of its own; the other policies keep theirs.
/// </summary>
public static class BundleVerdictParser
{
    /// <summary>
    /// Parses <paramref name="content"/> for <paramref name="policyIds"/>. Returns false (with <paramref name="error"/>)
    /// when the content holds no JSON object at all; otherwise true, with each id either in
    /// <paramref name="verdicts"/> or in <paramref name="problems"/>.
    /// </summary>
    public static bool TryParse(
        string? content,
        IReadOnlyList<string> policyIds,
        out Dictionary<string, ParsedVerdict> verdicts,
        out Dictionary<string, string> problems,
        out string? error)
    {
        ArgumentNullException.ThrowIfNull(policyIds);
        verdicts = new Dictionary<string, ParsedVerdict>(StringComparer.Ordinal);
        problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!VerdictParser.TryParseObject(content, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the answer is not a JSON object";
                return false;
            }

            foreach (var id in policyIds)
            {
                if (!root.TryGetProperty(id, out var element))
                {
                    problems[id] = $"no verdict for policy '{id}' in the bundled answer";
                }
                else if (element.ValueKind != JsonValueKind.Object)
                {
                    problems[id] = $"the verdict for policy '{id}' is not an object";
                }
                else if (VerdictParser.TryParse(element.GetRawText(), out var verdict, out var problem, out var failure))
                {
                    verdicts[id] = verdict;
                }
                else
                {
                    problems[id] = (failure == VerdictParseFailure.OutOfRange ? VerdictError.VerdictOutOfRange : VerdictError.UnparsableVerdict) + ": " + problem;
                }
            }

            return true;
        }
    }
}
