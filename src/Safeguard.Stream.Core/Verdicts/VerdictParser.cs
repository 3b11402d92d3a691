using System.Diagnostics.CodeAnalysis;

namespace Safeguard.Stream.Core.Verdicts;

/// <summary>The model's answer, read from the final channel.</summary>
public readonly record struct ParsedVerdict(bool Violation, string? Category, string? Rationale)
{
    /// <summary>The model's own <c>confidence</c> word (low|medium|high) when the answer carried one.</summary>
    public string? Confidence { get; init; }
}

/// <summary>Why content is not a verdict. The client retries <see cref="Unparsable"/> and reports <see cref="OutOfRange"/> at once.</summary>
public enum VerdictParseFailure
{
    /// <summary>Parsed.</summary>
    None,

    /// <summary>Empty, prose, or broken/partial JSON: another sample may well be fine.</summary>
    Unparsable,

    /// <summary>Well-formed JSON whose <c>violation</c> is a value other than 0/1 (e.g. 2, 0.7, "maybe").</summary>
    OutOfRange,
}

/// <summary>
/// Reads the verdict the policy asks for — <c>{"violation":0|1,"category":…,"rationale":…}</c> — leniently:
/// code fences and text around the object are ignored, <c>policy_category</c> is accepted for <c>category</c>,
/// <c>violation</c> may be 0/1, true/false or "0"/"1", and a bare <c>0</c> or <c>1</c> is a verdict without rationale.
/// Anything else is unparsable, never guessed.
/// </summary>
public static class VerdictParser
{
    /// <summary>The verdict's decision key; the logprobs reader (<c>VerdictProbability</c>) looks for the same key.</summary>
    public const string ViolationKey = "violation";

    public static bool TryParse(string? content, out ParsedVerdict verdict, out string? error) =>
        TryParse(content, out verdict, out error, out _);

    public static bool TryParse(string? content, out ParsedVerdict verdict, out string? error, out VerdictParseFailure failure)
    {
        verdict = default;
        failure = VerdictParseFailure.Unparsable;
        var trimmed = content?.Trim();
        if (trimmed is "0" or "1")
        {
            verdict = new ParsedVerdict(trimmed == "1", null, null);
            error = null;
            failure = VerdictParseFailure.None;
            return true;
        }

        if (!TryParseObject(content, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(ViolationKey, out var violationElement))
            {
                error = "missing 'violation'";
                return false;
            }

            if (!TryReadViolation(violationElement, out var violation))
            {
                error = "'violation' is not 0 or 1";
                failure = violationElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                    ? VerdictParseFailure.Unparsable
                    : VerdictParseFailure.OutOfRange;
                return false;
            }

            var category = ReadString(root, "category") ?? ReadString(root, "policy_category");
            var rationale = ReadString(root, "rationale");
            verdict = new ParsedVerdict(violation, category, rationale) { Confidence = ReadString(root, "confidence")?.Trim().ToLowerInvariant() };
            failure = VerdictParseFailure.None;
            return true;
        }
    }

    /// <summary>
    /// The JSON object an answer holds, parsed: from its first <c>{</c> to its last <c>}</c>, so that code fences and
    /// text around it are ignored. A single policy's answer and a bundled one (<see cref="BundleVerdictParser"/>) are
    /// cut out alike. False, with the reason, for empty content, content without an object, or invalid JSON.
    /// </summary>
    internal static bool TryParseObject(string? content, [NotNullWhen(true)] out JsonDocument? document, out string? error)
    {
        document = null;
        if (string.IsNullOrWhiteSpace(content))
        {
            error = "empty content";
            return false;
        }

        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            error = "no JSON object in content";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(content.AsMemory(start, end - start + 1));
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + ex.Message;
            return false;
        }
    }

    private static bool TryReadViolation(JsonElement element, out bool violation)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                violation = true;
                return true;
            case JsonValueKind.False:
                violation = false;
                return true;
            case JsonValueKind.Number when element.TryGetInt32(out var number) && number is 0 or 1:
                violation = number == 1;
                return true;
            case JsonValueKind.String when element.GetString() is "0" or "1" or "true" or "false":
                var text = element.GetString();
                violation = text is "1" or "true";
                return true;
            default:
                violation = false;
                return false;
        }
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(v => v.ToString())),
                _ => null,
            }
            : null;

    /// <summary>
    /// The last complete JSON object in <paramref name="text"/> that has a <c>"violation"</c> key, or null. For
    /// answers whose verdict sits at the end of the reasoning (vLLM 0.11.x with an answer that has no analysis part;
    /// a malformed final-channel header): reasoning may quote JSON of its own earlier on, so only the last object
    /// counts, and an object cut off at the end is no answer at all.
    /// </summary>
    public static string? LastVerdictObject(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // From the last '{' backwards: the first balanced object that holds the key is the last answer, and prose
        // before it (an unmatched brace, quotes) cannot throw the count off.
        for (var start = text.LastIndexOf('{'); start >= 0; start = start == 0 ? -1 : text.LastIndexOf('{', start - 1))
        {
            if (BalancedEnd(text, start) is { } end && text.AsSpan(start, end - start + 1).Contains("\"violation\"", StringComparison.Ordinal))
            {
                return text[start..(end + 1)];
            }
        }

        return null;
    }

    /// <summary>The index of the brace that closes the object opened at <paramref name="start"/>, strings respected; null if it never closes.</summary>
    private static int? BalancedEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Invariant formatting for probabilities in logs and CSV.</summary>
    public static string FormatProbability(double? probability) =>
        probability is { } p ? p.ToString("0.000", CultureInfo.InvariantCulture) : "";
}
