using System.Collections.Concurrent;

namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// What stops tagging right now, for the tagger and its health check: paused (wiki, tag) pairs (the tag is not
/// defined), stopped wikis (a missing right) and open valves. Written by the consumer thread, read by <c>/health</c>.
/// </summary>
public sealed class TaggerState
{
    private readonly ConcurrentDictionary<(string Wiki, string Tag), (string Domain, string Detail)> _paused = new();
    private readonly ConcurrentDictionary<string, string> _stopped = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Wiki, string Policy), string> _openValves = new();

    /// <summary>Pauses (wiki, tag); <paramref name="domain"/> is what <c>safeguard tags create --wiki</c> takes.</summary>
    public void Pause(string wikiId, string domain, string tag, string detail) => _paused[(wikiId, tag)] = (domain, detail);

    public void Stop(string wikiId, string detail) => _stopped[wikiId] = detail;

    public void ValveOpened(string wikiId, string policyId, string reason) => _openValves[(wikiId, policyId)] = reason;

    /// <summary>The valve was re-armed (seen closed in the store): true when this replica had it open.</summary>
    public bool ValveClosed(string wikiId, string policyId) => _openValves.TryRemove((wikiId, policyId), out _);

    public bool IsValveOpen(string wikiId, string policyId) => _openValves.ContainsKey((wikiId, policyId));

    public void Resume(string wikiId, string tag)
    {
        _paused.TryRemove((wikiId, tag), out _);
        _stopped.TryRemove(wikiId, out _);
    }

    /// <summary>Why (wiki, tag) may not be tagged now, as a held reason, or null.</summary>
    public string? Blocked(string wikiId, string tag) =>
        _stopped.ContainsKey(wikiId) ? TagSkipReason.PermissionDenied
        : _paused.ContainsKey((wikiId, tag)) ? TagSkipReason.TagUndefined
        : null;

    public IReadOnlyList<(string WikiId, string PolicyId)> OpenValves => [.. _openValves.Keys.Order()];

    public bool IsClear => _paused.IsEmpty && _stopped.IsEmpty && _openValves.IsEmpty;

    /// <summary>One line per problem, each naming what an operator does about it.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        .. _openValves.OrderBy(v => v.Key).Select(v =>
            $"safety valve open for {v.Key.Wiki}/{v.Key.Policy} ({v.Value}); tagging of that pair stopped, verdicts still flow; re-arm with `safeguard tagger valve --wiki {v.Key.Wiki} --policy {v.Key.Policy} --reset`"),
        .. _paused.OrderBy(p => p.Key).Select(p =>
            $"tagging paused for {p.Key.Wiki}/{p.Key.Tag}: the tag is not defined on the wiki ({p.Value.Detail}); run `safeguard tags create --wiki {p.Value.Domain}`"),
        .. _stopped.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
            $"tagging stopped on {s.Key}: permission denied ({s.Value}); give the bot that right or grant"),
    ];
}
