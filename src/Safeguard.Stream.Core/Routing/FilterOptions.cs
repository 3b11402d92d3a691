namespace Safeguard.Stream.Core.Routing;

/// <summary>
/// Which edits reach the model at all, with global defaults and per-wiki overrides (like ClueBot NG's and
/// AutoModerator's per-wiki settings). Per-policy scopes (<c>applies_to</c>) narrow this further.
/// </summary>
/// <remarks>
/// List settings default to null and are resolved in <see cref="FilterRules"/>: the configuration binder appends to
/// a list that already holds defaults, so a default of [0] plus a configured [1] would silently become [0, 1].
/// </remarks>
public sealed class FilterOptions
{
    public const string SectionName = "Safeguard:Filters";

    public static readonly IReadOnlyList<int> DefaultNamespaces = [0];
    public static readonly IReadOnlyList<string> DefaultKinds = ["edit", "create"];
    public static readonly IReadOnlyList<string> DefaultTrustedGroups = ["sysop", "bot", "autopatrolled", "rollbacker"];

    /// <summary>Wikis to watch (wiki ids such as <c>enwiki</c>); empty means every wiki.</summary>
    public IList<string> Wikis { get; set; } = [];

    /// <summary>Namespaces to watch; null means articles only (0); an empty list means every namespace.</summary>
    public IList<int>? Namespaces { get; set; }

    /// <summary>Change kinds to check: <c>edit</c>, <c>create</c> (log, categorize, move, delete... are never diffs).</summary>
    public IList<string>? Kinds { get; set; }

    public bool SkipBots { get; set; } = true;

    /// <summary>User groups whose edits are trusted and skipped; null means sysop, bot, autopatrolled, rollbacker.</summary>
    public IList<string>? TrustedGroups { get; set; }

    /// <summary>Skip users with more edits than this (0 = no limit).</summary>
    [Range(0, long.MaxValue)]
    public long MaxEditCount { get; set; }

    /// <summary>Skip edits that change fewer bytes than this (0 = no limit), e.g. to ignore one-character fixes.</summary>
    [Range(0, long.MaxValue)]
    public long MinBytesChanged { get; set; }

    /// <summary>Skip edits that change more bytes than this (0 = no limit), e.g. bulk imports.</summary>
    [Range(0, long.MaxValue)]
    public long MaxBytesChanged { get; set; }

    /// <summary>Size of the (wiki, rev_id) window used to drop repeated events after reconnects.</summary>
    [Range(1, 10_000_000)]
    public int DedupeWindow { get; set; } = 100_000;

    /// <summary>
    /// Pages whose recent content hashes are remembered to tell an identity revert (<see cref="IdentityRevertWindow"/>,
    /// the pre-screen's <c>revert</c> skip) when the event carries no revert tag; 0 turns the check off.
    /// </summary>
    [Range(0, 10_000_000)]
    public int IdentityRevertPages { get; set; } = 50_000;

    /// <summary>Overrides by wiki id (e.g. <c>Safeguard:Filters:PerWiki:dewiki:MaxEditCount</c>).</summary>
    public IDictionary<string, WikiFilterOptions> PerWiki { get; } = new Dictionary<string, WikiFilterOptions>(StringComparer.OrdinalIgnoreCase);
}

[OptionsValidator]
internal sealed partial class FilterOptionsValidator : IValidateOptions<FilterOptions>
{
}

/// <summary>One wiki's overrides; anything left null falls back to the global setting.</summary>
public sealed class WikiFilterOptions
{
    public IList<int>? Namespaces { get; set; }
    public IList<string>? Kinds { get; set; }
    public bool? SkipBots { get; set; }
    public IList<string>? TrustedGroups { get; set; }
    public long? MaxEditCount { get; set; }
    public long? MinBytesChanged { get; set; }
    public long? MaxBytesChanged { get; set; }
}

/// <summary>The effective filter of one wiki: global settings with that wiki's overrides applied.</summary>
public sealed class FilterRules
{
    public FilterRules(FilterOptions global, WikiFilterOptions? wiki)
    {
        ArgumentNullException.ThrowIfNull(global);
        Namespaces = [.. First(wiki?.Namespaces, global.Namespaces, FilterOptions.DefaultNamespaces)];
        Kinds = new HashSet<string>(First(wiki?.Kinds, global.Kinds, FilterOptions.DefaultKinds), StringComparer.OrdinalIgnoreCase);
        TrustedGroups = new HashSet<string>(First(wiki?.TrustedGroups, global.TrustedGroups, FilterOptions.DefaultTrustedGroups), StringComparer.OrdinalIgnoreCase);
        SkipBots = wiki?.SkipBots ?? global.SkipBots;
        MaxEditCount = wiki?.MaxEditCount ?? global.MaxEditCount;
        MinBytesChanged = wiki?.MinBytesChanged ?? global.MinBytesChanged;
        MaxBytesChanged = wiki?.MaxBytesChanged ?? global.MaxBytesChanged;
    }

    private static IEnumerable<T> First<T>(IEnumerable<T>? wiki, IEnumerable<T>? global, IEnumerable<T> fallback) => wiki ?? global ?? fallback;

    public HashSet<int> Namespaces { get; }
    public HashSet<string> Kinds { get; }
    public HashSet<string> TrustedGroups { get; }
    public bool SkipBots { get; }
    public long MaxEditCount { get; }
    public long MinBytesChanged { get; }
    public long MaxBytesChanged { get; }
}
