namespace Safeguard.Stream.Core.Verdicts;

/// <summary>
/// Every reason a verdict ends with <see cref="VerdictStatus.Error"/> (its <c>error</c>: in the Kafka event, the audit
/// table and eval's predictions). The edit is still recorded; each reason is counted. Listed in README.md
/// ("Outcome reasons").
/// </summary>
public static class VerdictError
{
    /// <summary>The prompt stayed over the model's context even with the diff cut to <c>MinDiffCharacters</c>.</summary>
    public const string ContextLength = "context_length";

    /// <summary>Every attempt got a 200 whose body was not a readable completion.</summary>
    public const string MalformedResponse = "malformed_response";

    /// <summary>The reasoning used the output budget (<c>finish_reason: "length"</c>) on every attempt.</summary>
    public const string Length = "length";

    /// <summary>The answer had no content (and no verdict in the reasoning).</summary>
    public const string EmptyContent = "empty_content";

    /// <summary>The answer's content held no verdict JSON.</summary>
    public const string UnparsableVerdict = "unparsable_verdict";

    /// <summary>The verdict's violation digit was outside 0/1; not retried, as the model meant it.</summary>
    public const string VerdictOutOfRange = "verdict_out_of_range";

    /// <summary>No attempt was made (<c>MaxAttempts</c> of 0).</summary>
    public const string NoAttempts = "no_attempts";
}
