using System.Collections.Concurrent;

namespace Safeguard.Stream.Core.Routing;

/// <summary>An edit's route: the policies that judge it, or the reason it is skipped.</summary>
public readonly record struct RouteDecision(IReadOnlyList<Policy> Policies, string? SkipReason)
{
    public bool IsSkipped => SkipReason is not null;
}

/// <summary>
/// Decides which edits reach the model and which policies judge them. Pure: no I/O, no clock. The checks run in a
/// fixed order so a skip reason is stable: kind, wiki, namespace, bot, trusted group, edit count, size, policy scope.
/// </summary>
public sealed class EditRouter
{
    private readonly FilterOptions _options;
    private readonly IReadOnlyList<Policy> _policies;
    private readonly HashSet<string> _wikis;
    private readonly FilterRules _defaults;
    private readonly ConcurrentDictionary<string, FilterRules> _perWiki = new(StringComparer.OrdinalIgnoreCase);

    public EditRouter(FilterOptions options, IReadOnlyList<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policies);
        _options = options;
        _policies = policies;
        _wikis = new HashSet<string>(options.Wikis, StringComparer.OrdinalIgnoreCase);
        _defaults = new FilterRules(options, null);
    }

    public FilterRules RulesFor(string wikiId) =>
        _options.PerWiki.TryGetValue(wikiId, out var overrides)
            ? _perWiki.GetOrAdd(wikiId, _ => new FilterRules(_options, overrides))
            : _defaults;

    public RouteDecision Route(EditEvent edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var rules = RulesFor(edit.WikiId);
        var kind = edit.Kind switch
        {
            EditKind.Edit => "edit",
            EditKind.Create => "create",
            _ => null,
        };
        if (kind is null || !rules.Kinds.Contains(kind))
        {
            return Skip(SkipReason.Kind);
        }

        if (_wikis.Count > 0 && !_wikis.Contains(edit.WikiId))
        {
            return Skip(SkipReason.Wiki);
        }

        if (rules.Namespaces.Count > 0 && !rules.Namespaces.Contains(edit.Namespace))
        {
            return Skip(SkipReason.Namespace);
        }

        if (edit.Performer is { } performer)
        {
            if (rules.SkipBots && (performer.IsBot || performer.Groups.Contains("bot", StringComparer.OrdinalIgnoreCase)))
            {
                return Skip(SkipReason.Bot);
            }

            if (performer.Groups.Any(rules.TrustedGroups.Contains))
            {
                return Skip(SkipReason.TrustedGroup);
            }

            if (rules.MaxEditCount > 0 && performer.EditCount > rules.MaxEditCount)
            {
                return Skip(SkipReason.EditCount);
            }
        }

        if (BytesChanged(edit) is { } changed &&
            ((rules.MinBytesChanged > 0 && changed < rules.MinBytesChanged) || (rules.MaxBytesChanged > 0 && changed > rules.MaxBytesChanged)))
        {
            return Skip(SkipReason.Size);
        }

        var language = edit.Language;
        var matching = new List<Policy>(_policies.Count);
        foreach (var policy in _policies)
        {
            if (policy.AppliesTo.Matches(edit.WikiId, language, edit.Namespace))
            {
                matching.Add(policy);
            }
        }

        return matching.Count == 0 ? Skip(SkipReason.NoPolicy) : new RouteDecision(matching, null);
    }

    /// <summary>Bytes added or removed; a creation changes its whole size. Null when the source did not say.</summary>
    private static long? BytesChanged(EditEvent edit) => edit switch
    {
        { NewSize: { } newSize, OldSize: { } oldSize } => Math.Abs(newSize - oldSize),
        { Kind: EditKind.Create, NewSize: { } created } => created,
        _ => null,
    };

    private static RouteDecision Skip(string reason) => new([], reason);
}
