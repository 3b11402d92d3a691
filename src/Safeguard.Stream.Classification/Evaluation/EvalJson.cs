using System.Text.Encodings.Web;

namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>The JSON files of an evaluation: <c>predictions.jsonl</c>, <c>metrics.json</c>, <c>thresholds.json</c> (snake_case).</summary>
public static class EvalJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // Keeps "≥", "é" and friends readable; the report does its own HTML escaping.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Metrics(EvalMetrics metrics) => JsonSerializer.Serialize(metrics, s_options) + "\n";

    public static string Thresholds(EvalMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return JsonSerializer.Serialize(new
        {
            policy_id = metrics.Run.PolicyId,
            policy_version = metrics.Run.PolicyVersion,
            rule = "flag when the verdict is a violation and P(violation) >= threshold (the live rule; set it as the policy's threshold)",
            negatives = metrics.Overall.Negatives,
            positives = metrics.Overall.Positives,
            targets = metrics.Thresholds,
        }, s_options) + "\n";
    }

    /// <summary>Reads a <c>metrics.json</c> written by this harness (for <c>--baseline</c>).</summary>
    public static EvalMetrics ReadMetrics(string json) =>
        JsonSerializer.Deserialize<EvalMetrics>(json, s_options) ?? throw new JsonException("metrics.json holds null");

    /// <summary>One line of <c>predictions.jsonl</c> (no trailing newline).</summary>
    public static string PredictionLine(EvalPrediction p)
    {
        ArgumentNullException.ThrowIfNull(p);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("id", p.Record.Id);
            w.WriteNumber("line", p.Record.Line);
            w.WriteNumber("repeat", p.Repeat);
            w.WriteString("label", p.Record.Label);
            w.WriteBoolean("truth", p.Record.Truth);
            w.WriteString("wiki", p.Record.Wiki);
            w.WriteString("lang", p.Record.Lang);
            WriteNullable(w, "record_category", p.Record.Category);
            if (p.Verdict is { } verdict)
            {
                w.WriteBoolean("verdict", verdict);
            }
            else
            {
                w.WriteNull("verdict");
            }

            if (p.Probability is { } probability)
            {
                w.WriteNumber("probability", probability);
            }
            else
            {
                w.WriteNull("probability");
            }

            WriteNullable(w, "category", p.Answer?.Category);
            WriteNullable(w, "rationale", p.Answer?.Rationale);
            w.WriteBoolean("flagged", p.Flagged);
            w.WriteStartObject("tokens");
            w.WriteNumber("prompt", p.Answer?.PromptTokens ?? 0);
            w.WriteNumber("completion", p.Answer?.CompletionTokens ?? 0);
            w.WriteNumber("cached", p.Answer?.CachedTokens ?? 0);
            w.WriteEndObject();
            w.WriteNumber("latency_ms", p.LatencyMs);
            w.WriteString("status", p.Status);
            WriteNullable(w, "error", p.Error);
            if (p.SkipReason is { } skipReason)
            {
                w.WriteString("skip_reason", skipReason);
            }
            WriteNullable(w, "finish_reason", p.Answer?.FinishReason);
            w.WriteBoolean("truncated", p.Answer?.InputTruncated ?? false);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
