using System.Net.Http.Headers;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>What <c>GET {Endpoint}/models</c> showed (see <see cref="LlmModelsProbe"/>).</summary>
/// <param name="Reachable">The server answered HTTP at all.</param>
/// <param name="Problem">A configuration problem (key, model, endpoint), or null.</param>
/// <param name="Served">The model ids the server lists (empty when it could not be read).</param>
/// <param name="Error">Why the server could not be asked or read, when it could not; null otherwise.</param>
public sealed record LlmModelsReport(bool Reachable, LlmServerProblem? Problem, IReadOnlyList<string> Served, string? Error)
{
    /// <summary>Reachable, authorised, and serving <see cref="LlmOptions.Model"/>.</summary>
    public bool Ok => Reachable && Problem is null && Error is null;

    /// <summary>One line for an operator, naming the setting to look at.</summary>
    public string Describe(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Problem?.Message ?? Error ?? $"{options.Endpoint} serves {options.Model}";
    }
}

/// <summary>
/// Asks the model server which models it serves, with the API key, and reads the answer as an operator needs it:
/// unreachable (<c>Safeguard:Llm:Endpoint</c>), refused (<see cref="LlmServerProblem"/>: key, endpoint), or reachable
/// but not serving the configured model (<c>Safeguard:Llm:Model</c>). Used by <c>/health</c>, <c>safeguard run</c>'s
/// start check and <c>safeguard llm check</c>.
/// </summary>
public static class LlmModelsProbe
{
    /// <summary>A GET to <paramref name="uri"/> with the model server's bearer key, when one is set (vLLM <c>--api-key</c>).</summary>
    public static HttpRequestMessage Get(Uri uri, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        return request;
    }

    public static Uri ModelsUri(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Uri(options.Endpoint.ToString().TrimEnd('/') + "/models");
    }

    public static async Task<LlmModelsReport> CheckAsync(HttpClient http, LlmOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        using var request = Get(ModelsUri(options), options);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (LlmServerProblem.FromResponse(status, body, options) is { } problem)
            {
                return new LlmModelsReport(true, problem, [], null);
            }

            if (!response.IsSuccessStatusCode)
            {
                return new LlmModelsReport(true, null, [], $"the model server at {options.Endpoint} answered HTTP {status} to GET /models");
            }

            var served = ReadModelIds(body);
            if (served is null)
            {
                return new LlmModelsReport(true, null, [],
                    $"GET {ModelsUri(options)} is not an OpenAI-compatible model list: {LlmServerProblem.EndpointSetting} must be the server's base URL including /v1");
            }

            return served.Contains(options.Model, StringComparer.Ordinal)
                ? new LlmModelsReport(true, null, served, null)
                : new LlmModelsReport(true, LlmServerProblem.UnknownModel(options, served), served, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new LlmModelsReport(false, null, [],
                $"the model server at {options.Endpoint} is unreachable ({LlmServerProblem.EndpointSetting} or SAFEGUARD_LLM_URL): {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The ids in <c>{"object":"list","data":[{"id":…},…]}</c>, or null when the body is not such a list.</summary>
    public static IReadOnlyList<string>? ReadModelIds(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return [.. data.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("id").GetString()!)];
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
