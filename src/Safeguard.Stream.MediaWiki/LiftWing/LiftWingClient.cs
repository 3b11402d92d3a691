using System.Net;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Safeguard.Stream.MediaWiki.LiftWing;

/// <summary>Why an edit got no revert-risk score and its gate failed open (the <c>reason</c> of <c>safeguard.stream.gate.failed_open</c>).</summary>
public static class GateFailure
{
    /// <summary><c>Safeguard:LiftWing:Url</c> is empty while a policy declares a gate.</summary>
    public const string NotConfigured = "not_configured";

    /// <summary>Not a Wikipedia, or no language in its domain: the language-agnostic model scores Wikipedia revisions only.</summary>
    public const string UnsupportedWiki = "unsupported_wiki";

    /// <summary>No answer within <c>Safeguard:LiftWing:Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>5xx, 429 or no connection, after the retries.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The circuit breaker is open after many failures: no request is sent until it lets one through.</summary>
    public const string CircuitOpen = "circuit_open";

    /// <summary>Another HTTP status (e.g. 400 for a revision LiftWing cannot find).</summary>
    public const string HttpError = "http_error";

    /// <summary>An answer without a probability in [0, 1], or for another revision.</summary>
    public const string Malformed = "malformed";
}

/// <summary>
/// Asks LiftWing's revert-risk model for one edit's score: <c>POST {Url}/v1/models/revertrisk-language-agnostic:predict</c>
/// with <c>{"lang": "en", "rev_id": 123}</c>; the answer's <c>output.probabilities.true</c> is the score
/// (<c>tests/data/wikimedia/liftwing/</c> holds the recorded shape). Time-bounded by <c>Safeguard:LiftWing:Timeout</c>
/// through its own resilience pipeline (total timeout, optional retries, circuit breaker). It never fails an edit: every
/// failure returns null (the gate fails open and the edit goes to the model), counted by reason in
/// <c>safeguard.stream.gate.failed_open</c>; only the caller's cancellation throws.
/// </summary>
public sealed partial class LiftWingClient(
    HttpClient http,
    IOptions<LiftWingOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    ILogger<LiftWingClient> logger)
{
    private readonly LiftWingOptions _options = options.Value;

    public async Task<RevertRiskScore?> GetRevertRiskAsync(EditEvent edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (!_options.Enabled)
        {
            return FailOpen(edit, GateFailure.NotConfigured, null);
        }

        // The language-agnostic model knows Wikipedias only ("{lang}wiki"): another project's language code would
        // score the same rev id on the Wikipedia of that language.
        if (edit.Language is not { } language || !edit.Domain.EndsWith(".wikipedia.org", StringComparison.OrdinalIgnoreCase))
        {
            return FailOpen(edit, GateFailure.UnsupportedWiki, null);
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.PredictUri)
            {
                Content = new StringContent(new JsonObject { ["lang"] = language, ["rev_id"] = edit.RevId }.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var reason = response.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
                    ? GateFailure.Unavailable
                    : GateFailure.HttpError;
                return FailOpen(edit, reason, $"HTTP {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return Read(document.RootElement, edit.RevId) is { } score ? score : FailOpen(edit, GateFailure.Malformed, "no probabilities.true in [0, 1] for this revision");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (FailureOf(ex) is { } reason)
        {
            return FailOpen(edit, reason, ex.GetType().Name);
        }
        finally
        {
            telemetry.GateDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// The score in LiftWing's answer (<c>{"model_name", "model_version", "wiki_db", "revision_id",
    /// "output": {"prediction", "probabilities": {"true", "false"}}}</c>); null when it lacks one or names another revision.
    /// </summary>
    public static RevertRiskScore? Read(JsonElement answer, long revId)
    {
        if (answer.ValueKind != JsonValueKind.Object ||
            !answer.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object ||
            !output.TryGetProperty("probabilities", out var probabilities) || probabilities.ValueKind != JsonValueKind.Object ||
            !probabilities.TryGetProperty("true", out var value) || value.ValueKind != JsonValueKind.Number ||
            !value.TryGetDouble(out var probability) || probability is < 0 or > 1 || double.IsNaN(probability))
        {
            return null;
        }

        if (answer.TryGetProperty("revision_id", out var revision) && !(revision.ValueKind == JsonValueKind.Number && revision.TryGetInt64(out var id) && id == revId))
        {
            return null;
        }

        return new RevertRiskScore(probability, Text(answer, "model_name") ?? "unknown", Text(answer, "model_version") ?? "unknown");
    }

    private static string? Text(JsonElement answer, string name) =>
        answer.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private RevertRiskScore? FailOpen(EditEvent edit, string reason, string? detail)
    {
        telemetry.GateFailedOpen.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
        Log.FailedOpen(logger, edit.WikiId, edit.RevId, reason, detail ?? string.Empty);
        return null;
    }

    private static string? FailureOf(Exception ex) => ex switch
    {
        TimeoutRejectedException or OperationCanceledException => GateFailure.Timeout,
        BrokenCircuitException => GateFailure.CircuitOpen,
        HttpRequestException or IOException => GateFailure.Unavailable,
        JsonException => GateFailure.Malformed,
        _ => null,
    };

    private static partial class Log
    {
        // Debug: while LiftWing is down every gated edit lands here; the counter and the breaker's warning say it once.
        [LoggerMessage(EventId = 2301, EventName = "GateFailedOpen", Level = LogLevel.Debug,
            Message = "No revert risk for {WikiId}:{RevId} ({Reason} {Detail}); the gate fails open and the edit goes to the model")]
        public static partial void FailedOpen(ILogger logger, string wikiId, long revId, string reason, string detail);
    }
}
