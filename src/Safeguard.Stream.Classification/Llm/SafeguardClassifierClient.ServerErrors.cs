using System.ClientModel;
using System.Net;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>How the model server's errors are read: transient or not, context overflow, <c>Retry-After</c>.</summary>
public sealed partial class SafeguardClassifierClient
{
    /// <summary><c>Retry-After</c> (seconds or an HTTP date) of a failed response, capped; null when absent or unreadable.</summary>
    internal static TimeSpan? RetryAfter(ClientResultException exception, DateTimeOffset now, TimeSpan max) =>
        exception.GetRawResponse() is { } response && response.Headers.TryGetValue("Retry-After", out var value)
            ? ParseRetryAfter(value, now, max)
            : null;

    internal static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now, TimeSpan max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        TimeSpan delay;
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            delay = TimeSpan.FromSeconds(seconds);
        }
        else if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            delay = date - now;
        }
        else
        {
            return null;
        }

        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > max ? max : delay;
    }

    private static bool IsTransient(ClientResultException ex) => ex.Status is 0 or 408 or 429 or >= 500;

    /// <summary>
    /// A 400 for a prompt over the model's context. vLLM 0.14's gpt-oss path skips input validation, so the output
    /// budget goes negative: <c>"max_tokens must be at least 1, got -7584. (parameter=max_tokens, value=-7584)"</c>
    /// with <c>param: "max_tokens"</c> (0 when the prompt fills the context exactly). Newer vLLM says "…exceeds the
    /// model's maximum context length…"; OpenAI-style servers "This model's maximum context length is N tokens…".
    /// </summary>
    internal static bool IsContextLength(ClientResultException ex) =>
        ex.Status == (int)HttpStatusCode.BadRequest && IsContextLengthMessage(Body(ex) ?? ex.Message);

    internal static bool IsContextLengthMessage(string body)
    {
        if (body.Contains("context length", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        const string Budget = "max_tokens must be at least 1, got ";
        var at = body.IndexOf(Budget, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var number = body.AsSpan(at + Budget.Length);
        var end = 0;
        while (end < number.Length && (number[end] == '-' || char.IsAsciiDigit(number[end])))
        {
            end++;
        }

        // Only a budget of 0 or below means "the prompt left no room" (the client never sends a cap below 256).
        return long.TryParse(number[..end], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var budget) && budget <= 0;
    }

    private static string? Body(ClientResultException ex)
    {
        try
        {
            return ex.GetRawResponse()?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            return null; // the body was not buffered
        }
    }

    private static string Describe(Exception? ex) => ex switch
    {
        ClientResultException { Status: > 0 } client => $"HTTP {client.Status}",
        null => "unknown",
        _ => ex.GetType().Name,
    };
}
