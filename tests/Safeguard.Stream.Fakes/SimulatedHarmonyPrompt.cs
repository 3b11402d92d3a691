using System.Globalization;
using System.Text;

namespace Safeguard.Stream.Fakes;

/// <summary>One chat message as the request sent it: its role and its text (string content or the text parts joined).</summary>
/// <param name="Role">The request's role (<c>system</c>, <c>developer</c>, <c>user</c>, …).</param>
/// <param name="Text">The message text.</param>
public sealed record SimulatedChatMessage(string Role, string Text);

/// <summary>
/// The prompt vLLM 0.14 renders for gpt-oss from a Chat Completions request, and its token count with
/// <see cref="SimulatedTokenizer"/>. vLLM writes its own harmony system message first (model identity, knowledge
/// cutoff, current date, <c>Reasoning: effort</c>, the valid channels), then each request message as a raw harmony
/// message of the same role: a <c>system</c> message becomes a second system message, a <c>developer</c> message a
/// developer message with no header added, <c>user</c> a user message. The prompt ends with the assistant start.
/// Special tokens (<c>&lt;|start|&gt;</c>, the role, <c>&lt;|message|&gt;</c>, <c>&lt;|end|&gt;</c>) count one token
/// each; message text is counted as ordinary text, so text that spells a special token cannot forge one (harmony
/// renders text with <c>encode_ordinary</c>).
/// </summary>
/// <param name="Text">The rendered prompt, harmony tokens written out.</param>
/// <param name="Tokens">Its token count (what <c>usage.prompt_tokens</c> reports).</param>
/// <param name="PrefixText">The part shared by every request of one policy: vLLM's system message and, when the
/// first request message is <c>system</c> or <c>developer</c>, that message.</param>
/// <param name="PrefixTokens">Token count of <paramref name="PrefixText"/>.</param>
public sealed record SimulatedHarmonyPrompt(string Text, int Tokens, string PrefixText, int PrefixTokens)
{
    private const string Start = "<|start|>";
    private const string MessageToken = "<|message|>";
    private const string End = "<|end|>";

    /// <summary>The text of vLLM's own harmony system message (what <c>get_system_message</c> builds without tools).</summary>
    public static string SystemMessageText(string effort, DateOnly currentDate) =>
        "You are ChatGPT, a large language model trained by OpenAI.\n" +
        "Knowledge cutoff: 2024-06\n" +
        string.Create(CultureInfo.InvariantCulture, $"Current date: {currentDate:yyyy-MM-dd}\n\n") +
        $"Reasoning: {effort}\n\n" +
        "# Valid channels: analysis, final. Channel must be included for every message.";

    /// <summary>Renders <paramref name="messages"/> as vLLM 0.14's gpt-oss Chat Completions path does.</summary>
    public static SimulatedHarmonyPrompt Render(string effort, DateOnly currentDate, IReadOnlyList<SimulatedChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        var tokens = Append(text, "system", SystemMessageText(effort, currentDate));
        var prefixText = text.ToString();
        var prefixTokens = tokens;
        for (var i = 0; i < messages.Count; i++)
        {
            tokens += Append(text, messages[i].Role, messages[i].Text);
            if (i == 0 && messages[i].Role is "system" or "developer")
            {
                prefixText = text.ToString();
                prefixTokens = tokens;
            }
        }

        // render_for_completion: the prompt ends where the model starts its answer.
        text.Append(Start).Append("assistant");
        tokens += 2;
        return new SimulatedHarmonyPrompt(text.ToString(), tokens, prefixText, prefixTokens);
    }

    private static int Append(StringBuilder text, string role, string content)
    {
        text.Append(Start).Append(role).Append(MessageToken).Append(content).Append(End);
        return 4 + SimulatedTokenizer.Count(content);
    }
}
