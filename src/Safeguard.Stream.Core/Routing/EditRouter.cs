using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;

namespace Safeguard.Stream.Core.Routing;

/// <summary>An edit's route: the policies that judge it, or the reason it is skipped.</summary>
public readonly record struct RouteDecision(IReadOnlyList<Policy> Policies, string? SkipReason)
{
    public bool IsSkipped => SkipReason is not null;
}

/// <summary>
/// Decides which edits reach the model and which policies judge them. Pure: no I/O, no clock.
/// The checks run in a fixed order so a skip reason is stable: kind, wiki, namespace, bot, trusted group, edit count, policy scope.
/// </summary>
public sealed class EditRouter
{
    private readonly HashSet<string> _kinds;
    private readonly HashSet<string> _wikis;
    private readonly HashSet<int> _namespaces;
    private readonly HashSet<string> _trustedGroups;
    private readonly FilterOptions _options;
    private readonly IReadOnlyList<Policy> _policies;

    public EditRouter(FilterOptions options, IReadOnlyList<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policies);
        _options = options;
        _policies = policies;
        _kinds = new HashSet<string>(options.Kinds, StringComparer.OrdinalIgnoreCase);
        _wikis = new HashSet<string>(options.Wikis, StringComparer.OrdinalIgnoreCase);
        _namespaces = [.. options.Namespaces];
        _trustedGroups = new HashSet<string>(options.TrustedGroups, StringComparer.OrdinalIgnoreCase);
    }

    public RouteDecision Route(EditEvent edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var kind = edit.Kind switch
        {
            EditKind.Edit => "edit",
            EditKind.Create => "create",
            _ => null,
        };
        if (kind is null || !_kinds.Contains(kind))
        {
            return Skip(SkipReason.Kind);
        }

        if (_wikis.Count > 0 && !_wikis.Contains(edit.WikiId))
        {
            return Skip(SkipReason.Wiki);
        }

        if (_namespaces.Count > 0 && !_namespaces.Contains(edit.Namespace))
        {
            return Skip(SkipReason.Namespace);
        }

        if (edit.Performer is { } performer)
        {
            if (_options.SkipBots && (performer.IsBot || performer.Groups.Contains("bot", StringComparer.OrdinalIgnoreCase)))
            {
                return Skip(SkipReason.Bot);
            }

            if (performer.Groups.Any(_trustedGroups.Contains))
            {
                return Skip(SkipReason.TrustedGroup);
            }

            if (_options.MaxEditCount > 0 && performer.EditCount > _options.MaxEditCount)
            {
                return Skip(SkipReason.EditCount);
            }
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

    private static RouteDecision Skip(string reason) => new([], reason);
}
