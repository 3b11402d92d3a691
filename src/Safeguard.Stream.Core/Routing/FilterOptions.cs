using System.ComponentModel.DataAnnotations;

namespace Safeguard.Stream.Core.Routing;

/// <summary>Which edits reach the model at all. Per-policy scopes narrow this further.</summary>
public sealed class FilterOptions
{
    public const string SectionName = "Safeguard:Filters";

    /// <summary>Wikis to watch (wiki ids such as <c>enwiki</c>); empty means every wiki.</summary>
    public IList<string> Wikis { get; } = [];

    /// <summary>Namespaces to watch; empty means every namespace. Default: articles only.</summary>
    public IList<int> Namespaces { get; } = [0];

    /// <summary>Change kinds to check: <c>edit</c>, <c>create</c>.</summary>
    public IList<string> Kinds { get; } = ["edit", "create"];

    public bool SkipBots { get; set; } = true;

    /// <summary>User groups whose edits are trusted and skipped (like ClueBot NG's and AutoModerator's exemptions).</summary>
    public IList<string> TrustedGroups { get; } = ["sysop", "bot"];

    /// <summary>Skip users with more edits than this (0 = no limit).</summary>
    [Range(0, long.MaxValue)]
    public long MaxEditCount { get; set; }

    /// <summary>Size of the (wiki, rev_id) window used to drop repeated events after reconnects.</summary>
    [Range(1, 10_000_000)]
    public int DedupeWindow { get; set; } = 100_000;
}
