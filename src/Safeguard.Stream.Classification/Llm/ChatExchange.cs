namespace Safeguard.Stream.Classification.Llm;

/// <summary>What the classifier needs from a chat completion (see <see cref="ChatExchange.ReadAnswer"/>).</summary>
public sealed record ChatAnswer(
    string? Content,
    string? FinishReason,
    string? Reasoning,
    int PromptTokens,
    int CompletionTokens,
    int CachedTokens,
    AnswerTokens? Tokens)
{
    public bool StoppedByLength => FinishReason == "length";

    /// <summary>
    /// <c>usage.prompt_tokens_details</c> was an object (vLLM sends it only with <c>--enable-prompt-tokens-details</c>;
    /// otherwise it is null and <see cref="CachedTokens"/> says nothing).
    /// </summary>
    public bool HasPromptTokensDetails { get; init; }
}

/// <summary>
/// The Chat Completions request body and a lean reader of the response. The requests still go through the official
/// OpenAI SDK's <c>ChatClient</c> (its protocol method: pipeline, authentication, error mapping); only the JSON is
/// ours, because the SDK's typed model costs ~1 ms and ~390 KB of allocations per gpt-oss answer with logprobs
/// (~130 tokens × 6 alternatives at top_logprobs=5, each with its UTF-8 bytes) — 5× that per edit, most of the worker's CPU. This
/// reader keeps the answer's fields and the tokens' text (<see cref="AnswerTokens"/>: a token's logprob and alternatives
/// are read from the body only for the verdict digit), and skips everything else.
/// </summary>
public static class ChatExchange
{
    private static readonly JsonReaderOptions s_reader = new() { MaxDepth = 64 };

    /// <summary>
    /// The request, with the fields and names the SDK sends (<c>max_completion_tokens</c>, <c>reasoning_effort</c>):
    /// the policy message (<paramref name="policyRole"/>, see <see cref="SafeguardClassifierClient.PolicyMessage"/>), then the edit.
    /// </summary>
    public static BinaryData WriteRequest(string model, string policyRole, string policy, string user, ReasoningEffort effort, int? maxOutputTokens, int? topLogProbabilities) =>
        WriteRequest(model, policyRole, JsonEncodedText.Encode(policy), JsonEncodedText.Encode(user), effort, maxOutputTokens, topLogProbabilities);

    /// <summary>The same, for texts escaped once and sent many times (the classifier keeps them per policy and per edit).</summary>
    public static BinaryData WriteRequest(string model, string policyRole, JsonEncodedText policy, JsonEncodedText user, ReasoningEffort effort, int? maxOutputTokens, int? topLogProbabilities)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(policy.EncodedUtf8Bytes.Length + user.EncodedUtf8Bytes.Length + 256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteStartArray("messages");
            WriteMessage(w, policyRole, policy);
            WriteMessage(w, "user", user);
            w.WriteEndArray();
            w.WriteString("reasoning_effort", effort.ToName());
            if (maxOutputTokens is { } max)
            {
                w.WriteNumber("max_completion_tokens", max);
            }

            if (topLogProbabilities is { } top)
            {
                w.WriteBoolean("logprobs", true);
                w.WriteNumber("top_logprobs", top);
            }

            w.WriteEndObject();
        }

        return new BinaryData(buffer.WrittenMemory);
    }

    /// <summary>
    /// Reads <c>choices[0]</c> (content, finish_reason, reasoning, logprobs) and <c>usage</c>. Throws
    /// <see cref="MalformedResponseException"/> when the body is not a completion: not JSON, cut off, no choice or
    /// message, or a field of the wrong type.
    /// </summary>
    public static ChatAnswer ReadAnswer(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return Read(body.ToMemory());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new MalformedResponseException($"unreadable completion ({ex.GetType().Name})", ex);
        }
    }

    private static ChatAnswer Read(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span, s_reader);
        Expect(ref reader, JsonTokenType.StartObject);
        var answer = new AnswerBuilder();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    if (answer.SawMessage)
                    {
                        reader.Skip(); // n > 1 is never requested; the first choice is the answer
                        continue;
                    }

                    Require(ref reader, JsonTokenType.StartObject);
                    ReadChoice(ref reader, answer, json);
                }
            }
            else if (reader.ValueTextEquals("usage"u8) && Next(ref reader) == JsonTokenType.StartObject)
            {
                ReadUsage(ref reader, answer);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return answer.SawMessage
            ? new ChatAnswer(answer.Content, answer.FinishReason, answer.Reasoning ?? answer.ReasoningContent, answer.PromptTokens,
                answer.CompletionTokens, answer.CachedTokens, answer.Tokens)
            { HasPromptTokensDetails = answer.HasPromptTokensDetails }
            : throw new JsonException("the completion has no choice with a message");
    }

    private static void ReadChoice(ref Utf8JsonReader reader, AnswerBuilder answer, ReadOnlyMemory<byte> json)
    {
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                answer.SawMessage = true;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        Next(ref reader);
                        answer.Content = NullableString(ref reader);
                    }
                    else if (reader.ValueTextEquals("reasoning"u8))
                    {
                        // vLLM ≥ 0.11.1 says "reasoning"; older servers "reasoning_content".
                        Next(ref reader);
                        answer.Reasoning = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        reader.Skip();
                    }
                    else if (reader.ValueTextEquals("reasoning_content"u8))
                    {
                        Next(ref reader);
                        answer.ReasoningContent = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        reader.Skip();
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                Next(ref reader);
                answer.FinishReason = NullableString(ref reader);
            }
            else if (reader.ValueTextEquals("logprobs"u8) && Next(ref reader) == JsonTokenType.StartObject)
            {
                ReadLogProbabilities(ref reader, answer, json);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static void ReadLogProbabilities(ref Utf8JsonReader reader, AnswerBuilder answer, ReadOnlyMemory<byte> json)
    {
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("content"u8) || Next(ref reader) != JsonTokenType.StartArray)
            {
                SkipValue(ref reader);
                continue;
            }

            answer.Tokens = AnswerTokens.Read(ref reader, json);
        }
    }

    private static void ReadUsage(ref Utf8JsonReader reader, AnswerBuilder answer)
    {
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("prompt_tokens"u8) && Next(ref reader) == JsonTokenType.Number)
            {
                answer.PromptTokens = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) && Next(ref reader) == JsonTokenType.Number)
            {
                answer.CompletionTokens = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) && Next(ref reader) == JsonTokenType.StartObject)
            {
                answer.HasPromptTokensDetails = true;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("cached_tokens"u8) && Next(ref reader) == JsonTokenType.Number)
                    {
                        answer.CachedTokens = reader.GetInt32();
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static void WriteMessage(Utf8JsonWriter w, string role, JsonEncodedText content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    /// <summary>Moves to the next property name of the current object; false at its end (the reader is then on EndObject).</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) == JsonTokenType.EndObject)
        {
            return false;
        }

        Require(ref reader, JsonTokenType.PropertyName);
        return true;
    }

    /// <summary>Skips the value of the property the reader is on (or, after a Next that did not match, the value it is on).</summary>
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.PropertyName)
        {
            Next(ref reader);
        }

        reader.Skip();
    }

    /// <summary>The next token of a completion (also <see cref="AnswerTokens"/>'); the body ending here is malformed.</summary>
    internal static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the completion JSON ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        Next(ref reader);
        Require(ref reader, expected);
    }

    internal static void Require(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"expected {expected} in the completion JSON, found {reader.TokenType}");
        }
    }

    private sealed class AnswerBuilder
    {
        public bool SawMessage { get; set; }
        public string? Content { get; set; }
        public string? FinishReason { get; set; }
        public string? Reasoning { get; set; }
        public string? ReasoningContent { get; set; }
        public int PromptTokens { get; set; }
        public int CompletionTokens { get; set; }
        public int CachedTokens { get; set; }
        public bool HasPromptTokensDetails { get; set; }
        public AnswerTokens? Tokens { get; set; }
    }

    private static string? NullableString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException($"expected a string in the completion JSON, found {reader.TokenType}"),
    };
}
