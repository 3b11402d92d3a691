using System.Globalization;
using System.Text.Json;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Kafka;

/// <summary>
/// Renders one verdict as a Wikimedia Event Platform event, shaped like <c>mediawiki/page/prediction_classification_change</c>
/// plus a <c>safeguard</c> object. Restricted policies' events never carry the rationale.
/// </summary>
public static class VerdictEventWriter
{
    public static byte[] Write(EditEvent edit, PolicyVerdict verdict, string stream, string schemaUri, DateTimeOffset now)
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
            json.WriteString("dt", Iso(edit.RevisionTime ?? edit.EventTime));
            json.WriteString("wiki_id", edit.WikiId);

            json.WriteStartObject("page");
            if (edit.PageId is { } pageId)
            {
                json.WriteNumber("page_id", pageId);
            }

            json.WriteString("page_title", edit.PageTitle);
            json.WriteNumber("namespace_id", edit.Namespace);
            json.WriteEndObject();

            json.WriteStartObject("revision");
            json.WriteNumber("rev_id", edit.RevId);
            if (edit.ParentRevId is { } parent)
            {
                json.WriteNumber("rev_parent_id", parent);
            }

            json.WriteString("rev_dt", Iso(edit.RevisionTime ?? edit.EventTime));
            json.WriteEndObject();

            if (edit.Performer is { } performer)
            {
                json.WriteStartObject("performer");
                json.WriteString("user_text", performer.UserText);
                json.WriteBoolean("is_bot", performer.IsBot);
                json.WriteBoolean("is_temp", performer.IsTemp);
                if (performer.EditCount is { } count)
                {
                    json.WriteNumber("edit_count", count);
                }

                json.WriteEndObject();
            }

            json.WriteStartObject("predicted_classification");
            json.WriteString("model_name", verdict.Model);
            json.WriteString("model_version", verdict.Model);
            json.WriteStartArray("predictions");
            if (verdict.Status == VerdictStatus.Ok && verdict.Violation is { } violation)
            {
                json.WriteStringValue(violation ? "true" : "false");
            }

            json.WriteEndArray();
            json.WriteStartObject("probabilities");
            if (verdict.Status == VerdictStatus.Ok && verdict.Probability is { } p)
            {
                json.WriteNumber("true", Math.Round(p, 6));
                json.WriteNumber("false", Math.Round(1 - p, 6));
            }

            json.WriteEndObject();
            json.WriteEndObject();

            WriteSafeguard(json, verdict);
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

    private static void WriteSafeguard(Utf8JsonWriter json, PolicyVerdict verdict)
    {
        json.WriteStartObject("safeguard");
        json.WriteString("policy_id", verdict.PolicyId);
        json.WriteNumber("policy_version", verdict.PolicyVersion);
        json.WriteString("status", verdict.Status == VerdictStatus.Ok ? "ok" : "error");
        if (verdict.Error is not null)
        {
            json.WriteString("error", verdict.Error);
        }

        if (verdict.Violation is { } violation)
        {
            json.WriteBoolean("violation", violation);
        }

        if (verdict.Probability is { } probability)
        {
            json.WriteNumber("probability", Math.Round(probability, 6));
        }

        // Shadow-mode policies never flag; they say what they would have done.
        json.WriteBoolean(verdict.Mode == PolicyMode.Shadow ? "would_flag" : "flagged", verdict.Flagged);
        if (verdict.Category is not null)
        {
            json.WriteString("category", verdict.Category);
        }

        if (verdict.Visibility == PolicyVisibility.Public && verdict.Rationale is not null)
        {
            json.WriteString("rationale", verdict.Rationale);
        }

        json.WriteString("visibility", verdict.Visibility == PolicyVisibility.Public ? "public" : "restricted");
        json.WriteString("reasoning_effort", verdict.ReasoningEffort.ToString().ToLowerInvariant());
        json.WriteString("mode", verdict.Mode == PolicyMode.Shadow ? "shadow" : "enforce");
        json.WriteNumber("latency_ms", verdict.LatencyMs);
        json.WriteBoolean("input_truncated", verdict.InputTruncated);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", verdict.PromptTokens);
        json.WriteNumber("completion_tokens", verdict.CompletionTokens);
        json.WriteNumber("cached_tokens", verdict.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
