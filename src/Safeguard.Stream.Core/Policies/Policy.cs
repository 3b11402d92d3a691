namespace Safeguard.Stream.Core.Policies;

public enum ReasoningEffort
{
    Low,
    Medium,
    High,
}

public enum PolicyVisibility
{
    /// <summary>Rationale published on Kafka and readable by moderators.</summary>
    Public,

    /// <summary>Rationale kept out of Kafka and readable only by the restricted database role.</summary>
    Restricted,
}

public enum PolicyMode
{
    /// <summary>Verdicts above the threshold are flagged.</summary>
    Enforce,

    /// <summary>Verdicts are recorded as <c>would_flag</c> only, to measure a policy before it goes live.</summary>
    Shadow,
}

/// <summary>What a policy judges, so the pre-screen can skip an edit that cannot violate it.</summary>
public enum PolicyJudges
{
    /// <summary>Both what the edit adds and what it takes out (vandalism: blanking a section is vandalism).</summary>
    AddedAndRemoved,

    /// <summary>Only what the edit adds (spam: taking text out never adds a link); an edit that adds nothing is skipped.</summary>
    Added,
}

/// <summary>Where a policy applies. An empty list means "any".</summary>
public sealed record PolicyScope(IReadOnlyList<string> Wikis, IReadOnlyList<string> Languages, IReadOnlyList<int> Namespaces)
{
    public static PolicyScope Everywhere { get; } = new([], [], []);

    public bool Matches(string wikiId, string? language, int ns) =>
        (Wikis.Count == 0 || Wikis.Contains(wikiId, StringComparer.OrdinalIgnoreCase)) &&
        (Languages.Count == 0 || (language is not null && Languages.Contains(language, StringComparer.OrdinalIgnoreCase))) &&
        (Namespaces.Count == 0 || Namespaces.Contains(ns));
}

/// <summary>
/// A written policy: its front matter and its body, which is sent verbatim as the system prompt
/// (byte-identical for every edit, so vLLM's prefix cache serves it).
/// </summary>
public sealed record Policy
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required string Title { get; init; }
    public PolicyScope AppliesTo { get; init; } = PolicyScope.Everywhere;
    public ReasoningEffort ReasoningEffort { get; init; } = ReasoningEffort.Low;
    public double Threshold { get; init; } = 0.5;
    public IReadOnlyList<string> Categories { get; init; } = [];
    public PolicyVisibility Visibility { get; init; } = PolicyVisibility.Public;
    public PolicyMode Mode { get; init; } = PolicyMode.Enforce;

    /// <summary>The front matter's <c>judges:</c> (<c>added</c> or <c>added_and_removed</c>, the default).</summary>
    public PolicyJudges Judges { get; init; } = PolicyJudges.AddedAndRemoved;

    /// <summary>The front matter's <c>tag:</c>, the change tag the tagger puts on a flagged revision; null for the default.</summary>
    public string? Tag { get; init; }

    /// <summary>The change tag on the wiki: <see cref="Tag"/>, else <c>safeguard-&lt;id&gt;</c>. Restricted policies are never tagged.</summary>
    public string ChangeTag => Tag ?? "safeguard-" + Id;

    /// <summary>The front matter's <c>gate:</c> (<c>revertrisk &lt; 0.1</c>): judge only edits at or above that revert risk; null for no gate.</summary>
    public RevertRiskGate? Gate { get; init; }

    public required string Body { get; init; }
    public string? SourcePath { get; init; }
}
