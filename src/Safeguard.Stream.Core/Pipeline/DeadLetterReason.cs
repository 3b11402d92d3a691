namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Dead-letter reasons that are not the parser's (<see cref="EventParseError"/>) or the wiki's
/// (<c>DiffFailure</c> in Safeguard.Stream.MediaWiki). All of them are listed in README.md ("Outcome reasons").
/// </summary>
public static class DeadLetterReason
{
    /// <summary>The model server refused a request for one of the edit's policies (a 4xx other than context length).</summary>
    public const string LlmRejected = "llm_rejected";
}
