namespace Safeguard.Stream.Core.Prompts;

/// <summary>
/// Several public policies in one request (<c>Safeguard:Llm:Bundle</c>): one instructions message holding every
/// policy, in a fixed order (ordinal by id) so the same set always renders byte-identical and vLLM's prefix cache
/// serves it, and an answer with one verdict object per policy id. OpenAI's guide for gpt-oss-safeguard: several
/// policies in one prompt cost some accuracy but less GPU, so <c>safeguard eval --bundle</c> measures it first.
/// Restricted policies are never bundled: their verdicts must not share an answer with public ones.
/// </summary>
public sealed class PolicyBundle
{
    private PolicyBundle(IReadOnlyList<Policy> policies, string instructions)
    {
        Policies = policies;
        Instructions = instructions;
    }

    /// <summary>The bundled policies, in the order the instructions list them and the answer keys them.</summary>
    public IReadOnlyList<Policy> Policies { get; }

    /// <summary>The instructions message: the bundle's answer format, then each policy's body under its id.</summary>
    public string Instructions { get; }

    /// <summary>The reasoning effort the bundle asks for: the highest any bundled policy asks for.</summary>
    public ReasoningEffort ReasoningEffort => Policies.Max(p => p.ReasoningEffort);

    /// <summary>Bundles <paramref name="policies"/> (two or more, all public). Throws for a restricted policy.</summary>
    public static PolicyBundle Create(IEnumerable<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var ordered = policies.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        if (ordered.Count < 2)
        {
            throw new ArgumentException("a bundle holds two or more policies", nameof(policies));
        }

        if (ordered.FirstOrDefault(p => p.Visibility != PolicyVisibility.Public) is { } restricted)
        {
            throw new ArgumentException($"policy '{restricted.Id}' is restricted: restricted policies are never bundled with others", nameof(policies));
        }

        if (ordered.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count() != ordered.Count)
        {
            throw new ArgumentException("a bundle holds each policy once", nameof(policies));
        }

        var text = new StringBuilder();
        text.Append("You review one edit against ").Append(ordered.Count).Append(" policies at once. Judge the edit against each policy on its own,\n")
            .Append("as if it were the only one. Each policy below describes its own answer; in this review, answer instead with one\n")
            .Append("JSON object and nothing else, with one key per policy id, in this order, each holding that policy's answer:\n")
            .Append('{');
        for (var i = 0; i < ordered.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append('"').Append(ordered[i].Id).Append("\": {\"violation\": 0 or 1, \"category\": \"<id>\" or null, \"rationale\": \"...\"}");
        }

        text.Append("}\n");
        foreach (var policy in ordered)
        {
            text.Append("\n# Policy ").Append(policy.Id).Append("\n\n").Append(policy.Body.TrimEnd()).Append('\n');
        }

        return new PolicyBundle(ordered, text.ToString());
    }

    /// <summary>The answer key of <paramref name="policyId"/> as it appears in the answer (<c>"spam"</c>): where that policy's verdict starts.</summary>
    public static string AnswerKey(string policyId) => "\"" + policyId + "\"";
}
