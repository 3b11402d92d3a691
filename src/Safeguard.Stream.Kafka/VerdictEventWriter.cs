namespace Safeguard.Stream.Kafka;

/// <summary>
/// Renders one verdict as a Wikimedia Event Platform event of <c>mediawiki/page/safeguard_classification_change</c>
/// (<c>schemas/jsonschema/mediawiki/page/safeguard_classification_change/current.yaml</c>): the
/// <c>prediction_classification_change</c> envelope with only the fields that schema lists, plus a <c>safeguard</c>
/// object. Every field the schema bounds is written inside its bounds or left out, because the schema is closed
/// (<c>additionalProperties: false</c>) and consumers validate. Restricted policies' events never carry the rationale,
/// and no event carries the model's reasoning.
/// </summary>
public static class VerdictEventWriter
{
    public static byte[] Write(EditEvent edit, PolicyVerdict verdict, string stream, string schemaUri, DateTimeOffset now) =>
        Write(edit, verdict, stream, schemaUri, now, redaction: null, revertRisk: null);

    /// <summary>A verdict event with the edit's revert risk (<c>safeguard.revert_risk</c>, schema 1.2.0), when a gate fetched one.</summary>
    public static byte[] Write(EditEvent edit, PolicyVerdict verdict, string stream, string schemaUri, DateTimeOffset now, RevertRiskScore? revertRisk) =>
        Write(edit, verdict, stream, schemaUri, now, redaction: null, revertRisk);

    /// <summary>
    /// The redaction event of a verdict (schema 1.1.0): the same event, <c>meta.id</c> and key, with
    /// <c>safeguard.status: redacted</c> and <c>safeguard.redaction</c> (reason, when), and neither rationale nor
    /// performer, so that a consumer replacing its copy by <c>meta.id</c> purges what the wiki hid.
    /// </summary>
    public static byte[] WriteRedaction(RedactedVerdict redacted, string stream, string schemaUri, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(redacted);
        return Write(redacted.Edit with { Performer = null, Comment = null }, redacted.Verdict with { Rationale = null, Reasoning = null },
            stream, schemaUri, now, (redacted.Reason, redacted.RedactedAt), revertRisk: null);
    }

    private static byte[] Write(
        EditEvent edit, PolicyVerdict verdict, string stream, string schemaUri, DateTimeOffset now, (string Reason, DateTimeOffset At)? redaction, RevertRiskScore? revertRisk)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentNullException.ThrowIfNull(verdict);
        using var buffer = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("$schema", schemaUri);
            json.WriteStartObject("meta");
            json.WriteString("stream", stream);
            json.WriteString("id", EventIdentity.ForVerdict(edit.WikiId, edit.RevId, verdict.PolicyId, verdict.PolicyVersion).ToString());
            json.WriteString("dt", Iso(now));
            json.WriteString("domain", edit.Domain);
            json.WriteString("uri", edit.Uri ?? $"https://{edit.Domain}/wiki/{Uri.EscapeDataString(edit.PageTitle.Replace(' ', '_'))}");
            if (edit.RequestId is not null)
            {
                json.WriteString("request_id", edit.RequestId);
            }

            json.WriteEndObject();

            // Like LiftWing's derived events: dt is the source event's time, meta.dt when this event was made.
            json.WriteString("dt", Iso(edit.EventTime));
            json.WriteString("wiki_id", edit.WikiId);

            json.WriteStartObject("page");
            if (edit.PageId is > 0 and { } pageId)
            {
                json.WriteNumber("page_id", pageId);
            }

            json.WriteString("page_title", edit.PageTitle);
            json.WriteNumber("namespace_id", edit.Namespace);
            json.WriteEndObject();

            json.WriteStartObject("revision");
            json.WriteNumber("rev_id", edit.RevId);
            if (edit.ParentRevId is >= 0 and { } parent)
            {
                json.WriteNumber("rev_parent_id", parent);
            }

            json.WriteString("rev_dt", Iso(edit.SavedAt()));
            json.WriteEndObject();

            if (edit.Performer is { UserText.Length: > 0 } performer)
            {
                WritePerformer(json, performer);
            }

            WritePrediction(json, verdict);
            WriteSafeguard(json, verdict, redaction, revertRisk);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The message key, like <c>mediawiki.page_change.v1</c>: wiki and page, so a page's events stay in order.</summary>
    public static byte[] Key(EditEvent edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        using var buffer = new MemoryStream(64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("wiki_id", edit.WikiId);
            if (edit.PageId is { } pageId)
            {
                json.WriteNumber("page_id", pageId);
            }
            else
            {
                json.WriteNull("page_id");
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WritePerformer(Utf8JsonWriter json, Performer performer)
    {
        json.WriteStartObject("performer");
        json.WriteString("user_text", performer.UserText);
        var groups = performer.Groups.Where(g => g.Length > 0).ToList();
        if (groups.Count > 0)
        {
            json.WriteStartArray("groups");
            foreach (var group in groups)
            {
                json.WriteStringValue(group);
            }

            json.WriteEndArray();
        }

        json.WriteBoolean("is_bot", performer.IsBot);
        json.WriteBoolean("is_temp", performer.IsTemp);
        if (performer.EditCount is >= 0 and { } count)
        {
            json.WriteNumber("edit_count", count);
        }

        json.WriteEndObject();
    }

    private static void WritePrediction(Utf8JsonWriter json, PolicyVerdict verdict)
    {
        // The classifier is the policy applied by the model, as LiftWing names a model per task (revertrisk-…).
        json.WriteStartObject("predicted_classification");
        json.WriteString("model_name", "safeguard-" + verdict.PolicyId);
        json.WriteString("model_version", verdict.PolicyVersion.ToString(CultureInfo.InvariantCulture));
        json.WriteStartArray("predictions");
        if (verdict.Status == VerdictStatus.Ok && verdict.Violation is { } violation)
        {
            json.WriteStringValue(violation ? "true" : "false");
        }

        json.WriteEndArray();
        json.WriteStartObject("probabilities");
        if (verdict.Status == VerdictStatus.Ok && Probability(verdict) is { } p)
        {
            json.WriteNumber("true", p);
            json.WriteNumber("false", Math.Round(1 - p, 6));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSafeguard(Utf8JsonWriter json, PolicyVerdict verdict, (string Reason, DateTimeOffset At)? redaction, RevertRiskScore? revertRisk)
    {
        json.WriteStartObject("safeguard");
        json.WriteString("policy_id", verdict.PolicyId);
        json.WriteNumber("policy_version", verdict.PolicyVersion);
        json.WriteString("status", redaction is not null ? "redacted" : verdict.Status == VerdictStatus.Ok ? "ok" : "error");
        if (redaction is { } r)
        {
            json.WriteStartObject("redaction");
            json.WriteString("reason", r.Reason);
            json.WriteString("redacted_at", Iso(r.At));
            json.WriteEndObject();
        }

        if (verdict.Status == VerdictStatus.Error)
        {
            json.WriteString("error", string.IsNullOrEmpty(verdict.Error) ? "unknown" : verdict.Error);
        }

        if (verdict.Violation is { } violation)
        {
            json.WriteBoolean("violation", violation);
        }

        if (Probability(verdict) is { } probability)
        {
            json.WriteNumber("probability", probability);
        }

        // Shadow-mode policies never flag; they say what they would have done.
        json.WriteBoolean(verdict.Mode == PolicyMode.Shadow ? "would_flag" : "flagged", verdict.Flagged);
        if (!string.IsNullOrEmpty(verdict.Category))
        {
            json.WriteString("category", verdict.Category);
        }

        if (verdict.Visibility == PolicyVisibility.Public && verdict.Rationale is not null)
        {
            json.WriteString("rationale", verdict.Rationale);
        }

        json.WriteString("visibility", verdict.Visibility == PolicyVisibility.Public ? "public" : "restricted");
        json.WriteString("reasoning_effort", verdict.ReasoningEffort.ToName());
        json.WriteString("mode", verdict.Mode == PolicyMode.Shadow ? "shadow" : "enforce");
        json.WriteString("model", verdict.Model);
        json.WriteNumber("latency_ms", Math.Max(0, verdict.LatencyMs));
        json.WriteBoolean("input_truncated", verdict.InputTruncated);
        if (revertRisk is { Probability: var risk } && double.IsFinite(risk))
        {
            json.WriteStartObject("revert_risk");
            json.WriteNumber("probability", Math.Round(Math.Clamp(risk, 0, 1), 6));
            json.WriteString("model_name", revertRisk.Model);
            json.WriteString("model_version", revertRisk.ModelVersion);
            json.WriteEndObject();
        }

        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", Math.Max(0, verdict.PromptTokens));
        json.WriteNumber("completion_tokens", Math.Max(0, verdict.CompletionTokens));
        json.WriteNumber("cached_tokens", Math.Max(0, verdict.CachedTokens));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static double? Probability(PolicyVerdict verdict) =>
        verdict.Probability is { } p && double.IsFinite(p) ? Math.Round(Math.Clamp(p, 0, 1), 6) : null;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
