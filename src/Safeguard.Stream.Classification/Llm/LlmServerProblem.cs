namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// A model server that refuses every request for a reason no edit can change: the API key (401/403), the model name
/// (404 for an unknown model) or the endpoint (404 for a path that is not an OpenAI-compatible API). Such an answer
/// is a deployment mistake, not a bad edit: classification pauses, nothing is dead-lettered, and the message names
/// the one setting to fix. One diagnosis serves the client, <c>/health</c>, <c>safeguard run</c>'s start check and
/// <c>safeguard llm check</c>.
/// </summary>
/// <param name="Setting">The configuration key to change, e.g. <c>Safeguard:Llm:ApiKey</c>.</param>
/// <param name="Message">What is wrong and what to do, for an operator; never contains the key itself.</param>
public sealed record LlmServerProblem(string Setting, string Message)
{
    public const string ApiKeySetting = LlmOptions.SectionName + ":ApiKey";
    public const string ModelSetting = LlmOptions.SectionName + ":Model";
    public const string EndpointSetting = LlmOptions.SectionName + ":Endpoint";

    public override string ToString() => Message;

    /// <summary>
    /// The problem a non-2xx answer shows, or null when the status is not a configuration problem (5xx, 429, 400 …).
    /// </summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The response body, if any (vLLM's error envelope names an unknown model).</param>
    /// <param name="options">The client's settings, for the message (the key is never included).</param>
    public static LlmServerProblem? FromResponse(int status, string? body, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keySet = !string.IsNullOrEmpty(options.ApiKey);
        return status switch
        {
            401 => new(ApiKeySetting, keySet
                ? $"the model server at {options.Endpoint} refused the API key (HTTP 401 Unauthorized): set {ApiKeySetting} to the key the server was started with (vLLM --api-key)"
                : $"the model server at {options.Endpoint} requires an API key (HTTP 401 Unauthorized): set {ApiKeySetting} (vLLM --api-key)"),
            403 => new(ApiKeySetting,
                $"the model server at {options.Endpoint} forbids this client (HTTP 403 Forbidden): check {ApiKeySetting} and the key's permissions at the gateway"),
            404 when NamesUnknownModel(body) => UnknownModel(options, served: null),
            404 => new(EndpointSetting,
                $"no OpenAI-compatible API at {options.Endpoint} (HTTP 404 Not Found): {EndpointSetting} (or SAFEGUARD_LLM_URL) must be the server's base URL including /v1"),
            _ => null,
        };
    }

    /// <summary>The server answers, but does not serve <see cref="LlmOptions.Model"/>.</summary>
    public static LlmServerProblem UnknownModel(LlmOptions options, IReadOnlyCollection<string>? served)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = served is { Count: > 0 } ? $" (it serves: {string.Join(", ", served)})" : string.Empty;
        return new(ModelSetting, string.Create(CultureInfo.InvariantCulture,
            $"the model server at {options.Endpoint} does not serve model '{options.Model}'{list}: set {ModelSetting} to the name vLLM serves (vllm serve NAME, or --served-model-name)"));
    }

    /// <summary>vLLM's 404 for an unknown model: <c>{"error":{"message":"The model `x` does not exist.","type":"NotFoundError",…}}</c>.</summary>
    private static bool NamesUnknownModel(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
            var type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() ?? "" : "";
            return message.Contains("model", StringComparison.OrdinalIgnoreCase) &&
                   (type == "NotFoundError" || message.Contains("does not exist", StringComparison.OrdinalIgnoreCase));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>The model server refuses every request until a setting is fixed (see <see cref="LlmServerProblem"/>).</summary>
public sealed class LlmMisconfiguredException : Exception
{
    public LlmMisconfiguredException()
        : this(new LlmServerProblem(LlmServerProblem.EndpointSetting, "the model server is misconfigured"))
    {
    }

    public LlmMisconfiguredException(string message)
        : this(new LlmServerProblem(LlmServerProblem.EndpointSetting, message))
    {
    }

    public LlmMisconfiguredException(string message, Exception innerException)
        : base(message, innerException) =>
        Problem = new LlmServerProblem(LlmServerProblem.EndpointSetting, message);

    public LlmMisconfiguredException(LlmServerProblem problem, Exception? innerException = null)
        : base(problem?.Message, innerException) =>
        Problem = problem ?? throw new ArgumentNullException(nameof(problem));

    public LlmServerProblem Problem { get; }
}
