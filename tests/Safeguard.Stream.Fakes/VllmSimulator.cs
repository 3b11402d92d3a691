using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// A SIMULATOR of vLLM 0.14's OpenAI-compatible server for gpt-oss (harmony), on 127.0.0.1. It reproduces the wire
/// format exactly (<c>/v1/models</c>, non-streaming <c>/v1/chat/completions</c>, error envelope, usage with
/// <c>prompt_tokens_details.cached_tokens</c>, both <c>reasoning</c> and <c>reasoning_content</c>, logprobs over every
/// generated token including harmony control tokens, <c>finish_reason: "length"</c> with null content) but its
/// verdicts are deterministic keyword stand-ins from <see cref="SimulatedJudge"/>: it tests the pipeline, not
/// moderation quality. Every rationale and reasoning text starts with "[simulated]".
/// </summary>
public sealed class VllmSimulator : IAsyncDisposable
{
    private const int MaxTopLogprobs = 20;
    private const int FillerReasoningCap = 4096;

    private static readonly string[] AlternativeTokens = [" the", ",", ".", " a", " and", "\n", " to", " of", " is", " it", " not", " that", " in", " this", " be", " or", ":", " for", " on", " as", " no"];

    private readonly VllmSimulatorOptions _options;
    private string? _apiKey;
    private readonly IVllmLatencyModel _latency;
    private readonly Lock _stateGate = new();
    private readonly HashSet<ulong> _cachedPrefixes = [];
    private readonly Dictionary<ulong, int> _attemptsByBody = [];
    private readonly long _modelCreated;
    private readonly List<string> _captured = [];
    private readonly List<VllmCapturedRequest> _capturedPrompts = [];
    private LoopbackHost? _host;
    private long _requestCount;
    private int _inLatency;
    private long _errorCount;
    private long _unauthorizedCount;

    private VllmSimulator(VllmSimulatorOptions options)
    {
        _options = options;
        _apiKey = options.ApiKey;
        _latency = options.LatencyModel ?? new FixedLatencyModel(options.Latency);
        _modelCreated = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>OpenAI-style base URL, <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public Uri BaseUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/v1"));

    /// <summary>The bound port.</summary>
    public int Port => _host?.Port ?? throw new InvalidOperationException("Not started.");

    /// <summary>The options in force.</summary>
    public VllmSimulatorOptions Options => _options;

    /// <summary>Chat completion requests received (valid or not).</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>Chat completion responses with an HTTP status other than 200 (validation errors and injected 500s).</summary>
    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>Request bodies received so far, in arrival order, when <see cref="VllmSimulatorOptions.CaptureRequests"/> is on.</summary>
    public IReadOnlyList<string> CapturedRequests
    {
        get
        {
            lock (_stateGate)
            {
                return [.. _captured];
            }
        }
    }

    /// <summary>
    /// What the server made of each request in <see cref="CapturedRequests"/> (same order, same count): the role of
    /// the first message and the prompt as vLLM 0.14 renders it for gpt-oss. Filled when
    /// <see cref="VllmSimulatorOptions.CaptureRequests"/> is on.
    /// </summary>
    public IReadOnlyList<VllmCapturedRequest> CapturedPrompts
    {
        get
        {
            lock (_stateGate)
            {
                return [.. _capturedPrompts];
            }
        }
    }

    /// <summary>
    /// The key <c>/v1/*</c> requests must carry (starts as <see cref="VllmSimulatorOptions.ApiKey"/>); set it to
    /// rotate the server's key under a running client, null to accept any request.
    /// </summary>
    public string? ApiKey
    {
        get => Volatile.Read(ref _apiKey);
        set => Volatile.Write(ref _apiKey, value);
    }

    /// <summary><c>/v1/*</c> requests answered 401 because <see cref="ApiKey"/> did not match; they count nowhere else.</summary>
    public long UnauthorizedCount => Interlocked.Read(ref _unauthorizedCount);

    /// <summary>Starts the simulator on <paramref name="port"/> (0 = any free port).</summary>
    public static async Task<VllmSimulator> StartAsync(VllmSimulatorOptions? options = null, int port = 0, CancellationToken ct = default)
    {
        var sim = new VllmSimulator(options ?? new VllmSimulatorOptions());
        sim._host = await LoopbackHost.StartAsync(port, sim.MapRoutes, ct);
        return sim;
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    private void MapRoutes(WebApplication app)
    {
        // vLLM's AuthenticationMiddleware: only paths under /v1 need the key (so /health, /metrics and /version
        // stay open), OPTIONS passes, and anything else without "Authorization: Bearer KEY" gets this exact body.
        // The key is read per request, so a test can rotate it (ApiKey) while a client is running.
        app.Use(async (ctx, next) =>
        {
            var apiKey = ApiKey;
            var authorization = Encoding.UTF8.GetBytes(ctx.Request.Headers.Authorization.ToString());
            if (apiKey is { Length: > 0 } && ctx.Request.Path.StartsWithSegments("/v1") && !HttpMethods.IsOptions(ctx.Request.Method)
                && !CryptographicOperations.FixedTimeEquals(authorization, Encoding.UTF8.GetBytes("Bearer " + apiKey)))
            {
                Interlocked.Increment(ref _unauthorizedCount);
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"error\":\"Unauthorized\"}", ctx.RequestAborted);
                return;
            }

            await next(ctx);
        });

        app.MapGet("/health", (RequestDelegate)(ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }));
        app.MapGet("/version", (RequestDelegate)(ctx => WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("version", "0.14.0");
            w.WriteEndObject();
        })));
        app.MapGet("/v1/models", (RequestDelegate)(ctx => WriteJsonAsync(ctx, 200, WriteModelList)));
        app.MapPost("/v1/chat/completions", (RequestDelegate)HandleChatAsync);
        app.MapGet("/metrics", (RequestDelegate)WriteMetricsAsync);
    }

    /// <summary>
    /// The scheduler gauges of vLLM's Prometheus endpoint (V1 engine names and labels). A latency model with a
    /// scheduler (<see cref="IVllmSchedulerState"/>) reports its own batch and queue; otherwise every request inside
    /// its simulated latency counts as running and none waits.
    /// </summary>
    private Task WriteMetricsAsync(HttpContext ctx)
    {
        var (running, waiting) = _latency is IVllmSchedulerState scheduler ? scheduler.SchedulerState() : (Volatile.Read(ref _inLatency), 0);
        var labels = $"{{engine=\"0\",model_name=\"{_options.ModelName}\"}}";
        var text = new StringBuilder()
            .Append("# HELP vllm:num_requests_running Number of requests in model execution batches.\n")
            .Append("# TYPE vllm:num_requests_running gauge\n")
            .Append(CultureInfo.InvariantCulture, $"vllm:num_requests_running{labels} {running}.0\n")
            .Append("# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n")
            .Append("# TYPE vllm:num_requests_waiting gauge\n")
            .Append(CultureInfo.InvariantCulture, $"vllm:num_requests_waiting{labels} {waiting}.0\n")
            .ToString();
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        return ctx.Response.WriteAsync(text, ctx.RequestAborted);
    }

    private void WriteModelList(Utf8JsonWriter w)
    {
        // Shape of vLLM's ModelList / ModelCard.
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteString("id", _options.ModelName);
        w.WriteString("object", "model");
        w.WriteNumber("created", _modelCreated);
        w.WriteString("owned_by", "vllm");
        w.WriteString("root", _options.ModelName);
        w.WriteNull("parent");
        w.WriteNumber("max_model_len", _options.MaxModelLen);
        w.WriteStartArray("permission");
        w.WriteStartObject();
        w.WriteString("id", "modelperm-" + RandomHex(16));
        w.WriteString("object", "model_permission");
        w.WriteNumber("created", _modelCreated);
        w.WriteBoolean("allow_create_engine", false);
        w.WriteBoolean("allow_sampling", true);
        w.WriteBoolean("allow_logprobs", true);
        w.WriteBoolean("allow_search_indices", false);
        w.WriteBoolean("allow_view", true);
        w.WriteBoolean("allow_fine_tuning", false);
        w.WriteString("organization", "*");
        w.WriteNull("group");
        w.WriteBoolean("is_blocking", false);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private async Task HandleChatAsync(HttpContext ctx)
    {
        var requestNumber = Interlocked.Increment(ref _requestCount);
        var ct = ctx.RequestAborted;
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ct);
        }

        var fault = _options.FaultMode;
        if (requestNumber <= _options.FaultPlan.Count)
        {
            fault = _options.FaultPlan[(int)requestNumber - 1];
        }

        ChatRequest? request = null;
        VllmError? error = null;
        try
        {
            request = ParseRequest(body);
            // vLLM 0.14's gpt-oss path skips the input-length check; get_max_tokens takes the smallest of
            // max_model_len - prompt and the requested cap, and SamplingParams rejects anything below 1.
            if (_options.MaxModelLen - request.PromptTokens < 1)
            {
                error = OverlongPromptError(request.PromptTokens);
            }
        }
        catch (VllmError e)
        {
            error = e;
        }

        Capture(body, request);
        if (error is not null)
        {
            await WriteErrorAsync(ctx, error.Status, error.Type, error.Message, error.Param);
            return;
        }

        var bodyHash = Hash64(Encoding.UTF8.GetBytes(body));
        var (cached, attempt) = RecordRequest(request!, bodyHash);
        var serverError = Draw(bodyHash, attempt, 1) < _options.ServerErrorRate || fault == VllmFault.ServerError;
        var lengthFault = Draw(bodyHash, attempt, 2) < _options.LengthFinishRate || fault == VllmFault.LengthNoContent;
        var malformed = Draw(bodyHash, attempt, 3) < _options.MalformedContentRate || fault == VllmFault.MalformedContent;

        var completion = BuildCompletion(request!, OutputBudget(request!), lengthFault, malformed, fault);
        Interlocked.Increment(ref _inLatency);
        try
        {
            await _latency.DelayAsync(new VllmLatencyRequest(request!.PromptTokens, cached, completion.Tokens.Count), ct);
        }
        finally
        {
            Interlocked.Decrement(ref _inLatency);
        }

        switch (fault)
        {
            case VllmFault.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return;
            case VllmFault.Overloaded or VllmFault.TooManyRequests:
                if (_options.RetryAfter is { } retryAfter)
                {
                    ctx.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                await WriteErrorAsync(ctx, fault == VllmFault.Overloaded ? 503 : 429, fault == VllmFault.Overloaded ? "ServiceUnavailableError" : "RateLimitError",
                    "[simulated] The server is overloaded; try again later.", null);
                return;
            case VllmFault.TruncatedBody:
                await WriteTruncatedJsonAsync(ctx, w => WriteCompletion(w, request, completion, cached, bodyHash));
                return;
        }

        if (serverError)
        {
            // An exception in vLLM's chat handler (openai-harmony failing to parse the output, vllm#23567) reaches
            // api_server as HTTPException(500, str(e)); its handler answers the error envelope with the status phrase
            // as the type.
            await WriteErrorAsync(ctx, 500, "Internal Server Error",
                "[simulated] openai_harmony.HarmonyError: Unexpected token 200002 while expecting start token 200006", null);
            return;
        }

        await WriteJsonAsync(ctx, 200, w => WriteCompletion(w, request, completion, cached, bodyHash));
    }

    /// <summary>The output budget vLLM 0.14 gives: max_model_len - prompt, capped by the request's max tokens (no error when they exceed it).</summary>
    private int OutputBudget(ChatRequest request) =>
        Math.Min(_options.MaxModelLen - request.PromptTokens, request.MaxTokens ?? int.MaxValue);

    private VllmError OverlongPromptError(int promptTokens)
    {
        var left = _options.MaxModelLen - promptTokens;
        return _options.OverlongPrompt switch
        {
            // vLLM 0.14 gpt-oss: SamplingParams' VLLMValidationError, as quoted in vllm PR #36789.
            VllmOverlongPrompt.NegativeMaxTokens => new VllmError(400, "BadRequestError", string.Create(CultureInfo.InvariantCulture,
                $"max_tokens must be at least 1, got {left}. (parameter=max_tokens, value={left})"), "max_tokens"),
            _ => new VllmError(400, "BadRequestError", string.Create(CultureInfo.InvariantCulture,
                $"This model's maximum context length is {_options.MaxModelLen} tokens. However, your request has {promptTokens} input tokens. Please reduce the length of the input messages."), null),
        };
    }

    private void Capture(string body, ChatRequest? request)
    {
        if (!_options.CaptureRequests)
        {
            return;
        }

        lock (_stateGate)
        {
            _captured.Add(body);
            _capturedPrompts.Add(new VllmCapturedRequest(body, request?.FirstRole, request?.Prompt.Text, request?.PromptTokens));
        }
    }

    private ChatRequest ParseRequest(string body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw BadRequest("[{'type': 'json_invalid', 'loc': ('body',), 'msg': 'JSON decode error', 'ctx': {'error': '" + e.Message.Replace('\'', '"') + "'}}]");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw BadRequest("1 validation error for ChatCompletionRequest\n  Input should be a valid dictionary [type=dict_type]");
            }

            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && model.GetString() != _options.ModelName)
            {
                // OpenAIServing._check_model: message and type as in every version read; param "model" as in the
                // newer sources read (not confirmed at exactly 0.14, where it may still be null).
                throw new VllmError(404, "NotFoundError", $"The model `{model.GetString()}` does not exist.", "model");
            }

            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                throw BadRequest("1 validation error for ChatCompletionRequest\nmessages\n  Field required [type=missing, input_value={...}, input_type=dict]");
            }

            if (messages.GetArrayLength() == 0)
            {
                throw BadRequest("[simulated] messages must contain at least one message.");
            }

            if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            {
                throw BadRequest("[simulated] stream=true is not supported by the vLLM simulator; send non-streaming requests.");
            }

            var effort = "medium"; // harmony's default when the field is absent
            if (root.TryGetProperty("reasoning_effort", out var effortEl) && effortEl.ValueKind != JsonValueKind.Null)
            {
                var value = effortEl.ValueKind == JsonValueKind.String ? effortEl.GetString() : effortEl.GetRawText();
                if (value is not ("low" or "medium" or "high"))
                {
                    throw BadRequest(
                        $"1 validation error for ChatCompletionRequest\nreasoning_effort\n  Input should be 'low', 'medium' or 'high' [type=literal_error, input_value={value}, input_type=str]");
                }

                effort = value;
            }

            var logprobs = root.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True;
            // vLLM: top_logprobs defaults to 0; logprobs are returned when logprobs is true and top_logprobs is not null.
            int? topLogprobs = 0;
            if (root.TryGetProperty("top_logprobs", out var tlp))
            {
                topLogprobs = tlp.ValueKind == JsonValueKind.Null ? null : tlp.GetInt32();
            }

            if (topLogprobs is < 0 or > MaxTopLogprobs)
            {
                throw BadRequest($"top_logprobs must be between 0 and {MaxTopLogprobs}, got {topLogprobs}.");
            }

            if (topLogprobs > 0 && !logprobs)
            {
                throw BadRequest("when using `top_logprobs`, `logprobs` must be set to true.");
            }

            int? maxTokens = ReadPositiveInt(root, "max_completion_tokens") ?? ReadPositiveInt(root, "max_tokens");
            var includeReasoning = !(root.TryGetProperty("include_reasoning", out var ir) && ir.ValueKind == JsonValueKind.False);

            var received = new List<SimulatedChatMessage>();
            foreach (var m in messages.EnumerateArray())
            {
                var role = m.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                if (role is null)
                {
                    throw BadRequest("1 validation error for ChatCompletionRequest\nmessages.0.role\n  Field required [type=missing]");
                }

                received.Add(new SimulatedChatMessage(role, ReadContent(m)));
            }

            var prompt = SimulatedHarmonyPrompt.Render(effort, DateOnly.FromDateTime(_options.TimeProvider.GetUtcNow().UtcDateTime), received);
            var policyText = received[0].Role is "system" or "developer" ? received[0].Text : "";
            var userText = string.Join('\n', received.Where(m => m.Role == "user").Select(m => m.Text));
            return new ChatRequest(
                effort, received[0].Role, policyText, userText, prompt,
                Hash64(Encoding.UTF8.GetBytes(prompt.PrefixText)),
                Hash64(Encoding.UTF8.GetBytes(prompt.Text)),
                maxTokens, logprobs ? topLogprobs : null, logprobs && topLogprobs is not null, includeReasoning)
            {
                MinTokens = ReadPositiveInt(root, "min_tokens"),
            };
        }
    }

    private static int? ReadPositiveInt(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt32(out var value) || value < 1)
        {
            throw BadRequest($"{name} must be at least 1, got {el.GetRawText()}.");
        }

        return value;
    }

    /// <summary>Message content may be a string or an array of parts ({"type":"text","text":...}).</summary>
    private static string ReadContent(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString() ?? "";
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        sb.Append(t.GetString());
                    }
                }

                return sb.ToString();
            default:
                return "";
        }
    }

    /// <summary>Records the request in the prefix cache and returns (cached prompt tokens, prior attempts of this body).</summary>
    private (int Cached, int Attempt) RecordRequest(ChatRequest request, ulong bodyHash)
    {
        var block = Math.Max(1, _options.PrefixCacheBlockSize);
        lock (_stateGate)
        {
            var cached = 0;
            if (_cachedPrefixes.Contains(request.FullPromptHash))
            {
                // Identical prompt: all full blocks except the one holding the last token.
                cached = (request.PromptTokens - 1) / block * block;
            }
            else if (_cachedPrefixes.Contains(request.PrefixHash))
            {
                cached = request.PrefixTokens / block * block;
            }

            if (_cachedPrefixes.Count > 100_000)
            {
                _cachedPrefixes.Clear(); // crude eviction, enough for tests
            }

            _cachedPrefixes.Add(request.PrefixHash);
            _cachedPrefixes.Add(request.FullPromptHash);

            _attemptsByBody.TryGetValue(bodyHash, out var attempt);
            _attemptsByBody[bodyHash] = attempt + 1;
            return (cached, attempt);
        }
    }

    private double Draw(ulong bodyHash, int attempt, int kind)
    {
        if (_options.Seed is not { } seed)
        {
            return Random.Shared.NextDouble();
        }

        Span<byte> buffer = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, seed);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[4..], bodyHash);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[12..], attempt);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[16..], kind);
        return (Hash64(buffer) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>What the model generates within <paramref name="budget"/> tokens (vLLM's output budget for the request).</summary>
    private static SimulatedCompletion BuildCompletion(ChatRequest request, int budget, bool lengthFault, bool malformed, VllmFault fault)
    {
        var bundled = SimulatedBundle.Split(request.PolicyText);
        SimulatedVerdict verdict;
        string reasoning;
        string content;
        if (bundled.Count > 1)
        {
            // Several policies in one request: judged one by one, as the model is asked to, answered in one object.
            var verdicts = bundled.Select(b => (b.Id, Verdict: SimulatedJudge.Judge(SimulatedJudge.DetectPolicy(b.Text), request.UserText))).ToList();
            verdict = verdicts[0].Verdict;
            reasoning = string.Join(" ", verdicts.Select(v => SimulatedJudge.BuildReasoning(v.Verdict, request.Effort)));
            var answered = fault == VllmFault.BundleMissingVerdict ? verdicts.Take(verdicts.Count - 1) : verdicts;
            content = malformed
                ? "I think some of these policies are violated."
                : "{" + string.Join(", ", answered.Select(v => "\"" + v.Id + "\": " + BuildVerdictJson(v.Verdict))) + "}";
        }
        else
        {
            var policy = SimulatedJudge.DetectPolicy(request.PolicyText);
            verdict = SimulatedJudge.Judge(policy, request.UserText);
            reasoning = SimulatedJudge.BuildReasoning(verdict, request.Effort);
            content = malformed
                ? (verdict.Violation ? "I think it violates the policy." : "I think it does not violate the policy.")
                : BuildVerdictJson(verdict);
        }

        if (fault == VllmFault.PartialContent)
        {
            content = content[..(content.Length / 2)];
        }
        else if (fault == VllmFault.VerdictOutOfRange)
        {
            content = "{\"violation\": 2, \"category\": null, \"rationale\": \"[simulated] out-of-range verdict.\"}";
        }

        var reasoningTokens = SimulatedTokenizer.Tokenize(reasoning);
        if (lengthFault)
        {
            // The model "keeps thinking" until the token budget runs out: reasoning only, no final message.
            var thinking = Math.Min(Math.Min(request.MaxTokens ?? 512, budget), FillerReasoningCap) - 3;
            var filler = SimulatedTokenizer.Tokenize(" [simulated] Re-checking the policy definitions once more.");
            while (reasoningTokens.Count < thinking)
            {
                reasoningTokens.AddRange(filler);
            }

            if (reasoningTokens.Count > thinking)
            {
                reasoningTokens.RemoveRange(Math.Max(0, thinking), reasoningTokens.Count - Math.Max(0, thinking));
            }

            var tokens = new List<GeneratedToken> { new("<|channel|>", true), new("analysis", true), new("<|message|>", true) };
            tokens.AddRange(reasoningTokens.Select(t => new GeneratedToken(t, false)));
            return new SimulatedCompletion(string.Concat(reasoningTokens), null, "length", tokens, verdict);
        }

        if (fault == VllmFault.ReasoningOnly)
        {
            // The model skipped the analysis message and answered in a final message only; vLLM 0.11.x assigns
            // harmony messages by position, so that one message lands in reasoning and content is "".
            var only = new List<GeneratedToken> { new("<|channel|>", true), new("final", true), new("<|message|>", true) };
            only.AddRange(SimulatedTokenizer.Tokenize(content).Select(t => new GeneratedToken(t, false)));
            only.Add(new GeneratedToken("<|return|>", true));
            MarkVerdictDigit(only, 3);
            if (only.Count <= budget)
            {
                return new SimulatedCompletion(content, "", "stop", only, verdict);
            }
        }

        if (request.MinTokens is { } min)
        {
            // min_tokens masks the stop tokens until that many are generated (how load tests force a length, with
            // max_completion_tokens equal to it): the model keeps thinking, and the budget then cuts the answer.
            var around = 3 + 6 + SimulatedTokenizer.Tokenize(content).Count + 1;
            var filler = SimulatedTokenizer.Tokenize(" [simulated] Re-checking the policy definitions once more.");
            while (reasoningTokens.Count + around < Math.Min(min, budget + 1))
            {
                reasoningTokens.AddRange(filler);
            }

            reasoning = string.Concat(reasoningTokens);
        }

        // Everything the model generates after "<|start|>assistant" in the prompt.
        var all = new List<GeneratedToken> { new("<|channel|>", true), new("analysis", true), new("<|message|>", true) };
        all.AddRange(reasoningTokens.Select(t => new GeneratedToken(t, false)));
        all.AddRange([new("<|end|>", true), new("<|start|>", true), new("assistant", true), new("<|channel|>", true), new("final", true), new("<|message|>", true)]);
        var contentStart = all.Count;
        all.AddRange(SimulatedTokenizer.Tokenize(content).Select(t => new GeneratedToken(t, false, IsVerdictDigit: false)));
        all.Add(new GeneratedToken("<|return|>", true));
        MarkVerdictDigit(all, contentStart);

        if (all.Count > budget)
        {
            var max = budget;
            // Budget exhausted. vLLM's parse_chat_output is positional: stopped inside the analysis message gives
            // content null and the partial reasoning; stopped inside the final message gives the partial content.
            var kept = all.GetRange(0, max);
            var reasoningEnd = 3 + reasoningTokens.Count;
            if (max <= reasoningEnd)
            {
                return new SimulatedCompletion(string.Concat(reasoningTokens.Take(max - 3 < 0 ? 0 : max - 3)), null, "length", kept, verdict);
            }

            var partial = max > contentStart ? string.Concat(all.Skip(contentStart).Take(max - contentStart).Select(t => t.Text)) : null;
            return new SimulatedCompletion(reasoning, partial, "length", kept, verdict);
        }

        // vllm#45736: the whole answer was generated and EOS ended it, but the final message did not reach content.
        return new SimulatedCompletion(reasoning, fault == VllmFault.ContentNullStop ? null : content, "stop", all, verdict);
    }

    /// <summary>Marks the verdict digit: the first 0/1 token after each <c>violation</c> key (one per policy in a bundled answer).</summary>
    private static void MarkVerdictDigit(List<GeneratedToken> tokens, int contentStart)
    {
        var seen = new System.Text.StringBuilder();
        var awaiting = true;
        for (var i = contentStart; i < tokens.Count; i++)
        {
            if (awaiting && tokens[i].Text is "0" or "1")
            {
                tokens[i] = tokens[i] with { IsVerdictDigit = true };
                awaiting = false;
                seen.Clear();
                continue;
            }

            seen.Append(tokens[i].Text);
            if (!awaiting && seen.ToString().Contains("violation", StringComparison.Ordinal))
            {
                awaiting = true;
            }
        }
    }

    private static string BuildVerdictJson(SimulatedVerdict verdict)
    {
        var rationale = "[simulated] " + (verdict.Violation ? "Violates: " : "Does not violate: ") + string.Join("; ", verdict.Findings) + ".";
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("violation", verdict.Violation ? 1 : 0);
            if (verdict.Category is null)
            {
                w.WriteNull("category");
            }
            else
            {
                w.WriteString("category", verdict.Category);
            }

            w.WriteString("rationale", rationale);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WriteCompletion(Utf8JsonWriter w, ChatRequest request, SimulatedCompletion c, int cached, ulong bodyHash)
    {
        var reasoning = request.IncludeReasoning ? c.Reasoning : null;
        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-" + RandomHex(32));
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        w.WriteString("model", _options.ModelName);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        WriteStringOrNull(w, "content", c.Content);
        w.WriteNull("refusal");
        w.WriteNull("annotations");
        w.WriteNull("audio");
        w.WriteNull("function_call");
        w.WriteStartArray("tool_calls");
        w.WriteEndArray();
        WriteStringOrNull(w, "reasoning", reasoning);
        WriteStringOrNull(w, "reasoning_content", reasoning);
        w.WriteEndObject();
        if (request.ReturnLogprobs)
        {
            WriteLogprobs(w, c, request.TopLogprobs ?? 0, bodyHash);
        }
        else
        {
            w.WriteNull("logprobs");
        }

        w.WriteString("finish_reason", c.FinishReason);
        // ChatCompletionResponseChoice: stop_reason is null when EOS (<|return|>) or the budget ended the answer;
        // token_ids stays null unless the request asks for return_token_ids.
        w.WriteNull("stop_reason");
        w.WriteNull("token_ids");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNull("service_tier");
        w.WriteNull("system_fingerprint");
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", request.PromptTokens);
        w.WriteNumber("total_tokens", request.PromptTokens + c.Tokens.Count);
        w.WriteNumber("completion_tokens", c.Tokens.Count);
        // vLLM fills prompt_tokens_details only with --enable-prompt-tokens-details and a cache hit.
        if (_options.EnablePromptTokensDetails && cached > 0)
        {
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", cached);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("prompt_tokens_details");
        }

        w.WriteEndObject();
        w.WriteNull("prompt_logprobs");
        w.WriteNull("prompt_token_ids");
        w.WriteNull("kv_transfer_params");
        w.WriteEndObject();
    }

    private static void WriteLogprobs(Utf8JsonWriter w, SimulatedCompletion c, int top, ulong bodyHash)
    {
        w.WriteStartObject("logprobs");
        w.WriteStartArray("content");
        for (var i = 0; i < c.Tokens.Count; i++)
        {
            var token = c.Tokens[i];
            var logprob = TokenLogprob(token, i, bodyHash);
            w.WriteStartObject();
            WriteTokenFields(w, token.Text, logprob);
            w.WriteStartArray("top_logprobs");
            if (top > 0)
            {
                w.WriteStartObject();
                WriteTokenFields(w, token.Text, logprob);
                w.WriteEndObject();
                var alternatives = token.IsVerdictDigit
                    ? [token.Text == "1" ? "0" : "1", .. AlternativeTokens]
                    : AlternativeTokens.Where(a => a != token.Text);
                var next = logprob;
                foreach (var alt in alternatives.Take(top - 1))
                {
                    next = token.IsVerdictDigit && next == logprob ? -4.5 : Math.Round(next - 1.25, 6);
                    w.WriteStartObject();
                    WriteTokenFields(w, alt, next);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteTokenFields(Utf8JsonWriter w, string token, double logprob)
    {
        w.WriteString("token", token);
        w.WriteNumber("logprob", logprob);
        w.WriteStartArray("bytes");
        foreach (var b in Encoding.UTF8.GetBytes(token))
        {
            w.WriteNumberValue(b);
        }

        w.WriteEndArray();
    }

    /// <summary>Deterministic, plausible logprobs: forced control tokens ~0, the verdict digit confident, text in (-1.6, 0].</summary>
    private static double TokenLogprob(GeneratedToken token, int index, ulong bodyHash)
    {
        if (token.IsControl)
        {
            return -1.1920928955078125E-07; // what a near-certain token looks like in float32
        }

        if (token.IsVerdictDigit)
        {
            return -0.0123;
        }

        Span<byte> buffer = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, bodyHash);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], index);
        var u = (Hash64(buffer) >> 11) * (1.0 / (1UL << 53));
        return -Math.Round(u * u * 1.6, 6);
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
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

    private async Task WriteErrorAsync(HttpContext ctx, int status, string type, string message, string? param)
    {
        Interlocked.Increment(ref _errorCount);
        await WriteJsonAsync(ctx, status, w =>
        {
            // vLLM >= 0.10.1 error envelope; "code" is the HTTP status as an integer.
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            WriteStringOrNull(w, "param", param);
            w.WriteNumber("code", status);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>HTTP 200, <c>application/json</c>, and only the first half of the JSON.</summary>
    private static async Task WriteTruncatedJsonAsync(HttpContext ctx, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        var half = buffer.WrittenMemory[..(buffer.WrittenCount / 2)];
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = half.Length;
        await ctx.Response.Body.WriteAsync(half, ctx.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.WrittenCount;
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    /// <summary>Validation failures travel as <see cref="VllmError"/> to the error writer.</summary>
    private static VllmError BadRequest(string message) => new(400, "BadRequestError", message, null);

    private static ulong Hash64(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    private static string RandomHex(int length)
    {
        Span<byte> bytes = stackalloc byte[length / 2];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private sealed record ChatRequest(
        string Effort,
        string FirstRole,
        string PolicyText,
        string UserText,
        SimulatedHarmonyPrompt Prompt,
        ulong PrefixHash,
        ulong FullPromptHash,
        int? MaxTokens,
        int? TopLogprobs,
        bool ReturnLogprobs,
        bool IncludeReasoning)
    {
        /// <summary>vLLM's extra sampling parameter <c>min_tokens</c>: stop tokens are masked until this many are generated.</summary>
        public int? MinTokens { get; init; }

        public int PromptTokens => Prompt.Tokens;

        public int PrefixTokens => Prompt.PrefixTokens;
    }

    /// <summary>An error answer: HTTP status, vLLM's error type, message and the offending parameter.</summary>
    private sealed class VllmError(int status, string type, string message, string? param) : Exception(message)
    {
        public int Status { get; } = status;

        public string Type { get; } = type;

        public string? Param { get; } = param;
    }

    private sealed record GeneratedToken(string Text, bool IsControl, bool IsVerdictDigit = false);

    private sealed record SimulatedCompletion(
        string Reasoning, string? Content, string FinishReason, List<GeneratedToken> Tokens, SimulatedVerdict Verdict);

}
