namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// What the tagger reads of one event on the verdict topic (<c>mediawiki/page/safeguard_classification_change</c>):
/// which revision, which policy, and the verdict's status, mode, visibility and flag. Rationale and performer are not read.
/// </summary>
public sealed record PublishedVerdict(
    string WikiId,
    string Domain,
    long RevId,
    string PageTitle,
    int Namespace,
    string PolicyId,
    int PolicyVersion,
    string Status,
    string Mode,
    string Visibility,
    bool Flagged)
{
    public const string StatusOk = "ok";
    public const string StatusError = "error";
    public const string StatusRedacted = "redacted";

    /// <summary>
    /// Reads an event's JSON. False, with the reason, for anything that is not a verdict event of the schema (not
    /// JSON, a required field missing or of the wrong type): the tagger dead-letters it.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> json, out PublishedVerdict? verdict, out string error)
    {
        verdict = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            var safeguard = Object(root, "safeguard");
            var revision = Object(root, "revision");
            var page = Object(root, "page");
            var meta = Object(root, "meta");
            verdict = new PublishedVerdict(
                String(root, "wiki_id"),
                String(meta, "domain"),
                revision.GetProperty("rev_id").GetInt64(),
                String(page, "page_title"),
                page.GetProperty("namespace_id").GetInt32(),
                String(safeguard, "policy_id"),
                safeguard.GetProperty("policy_version").GetInt32(),
                String(safeguard, "status"),
                String(safeguard, "mode"),
                String(safeguard, "visibility"),
                // Shadow verdicts say would_flag, error and redaction events may say neither.
                safeguard.TryGetProperty("flagged", out var flagged) && flagged.ValueKind == JsonValueKind.True);
            error = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error = ex is KeyNotFoundException ? "a required field is missing" : ex.Message;
            return false;
        }
    }

    private static JsonElement Object(JsonElement parent, string name)
    {
        var value = parent.GetProperty(name);
        return value.ValueKind == JsonValueKind.Object ? value : throw new InvalidOperationException($"'{name}' is not an object");
    }

    private static string String(JsonElement parent, string name)
    {
        var value = parent.GetProperty(name).GetString();
        return string.IsNullOrEmpty(value) ? throw new InvalidOperationException($"'{name}' is empty") : value;
    }
}
