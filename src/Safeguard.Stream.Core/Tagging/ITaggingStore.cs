namespace Safeguard.Stream.Core.Tagging;

/// <summary>One valve as stored: open (since when, why) or closed (re-armed when, by whom), and the verdicts held while it was open.</summary>
public sealed record ValveState(
    string WikiId, string PolicyId, bool Open, DateTimeOffset? OpenedAt, string? Reason, DateTimeOffset? ResetAt, string? ResetBy, long Held);

/// <summary>A flagged verdict not tagged for now: why (<see cref="TagSkipReason.ValveOpen"/>, <see cref="TagSkipReason.TagUndefined"/>, <see cref="TagSkipReason.PermissionDenied"/>) and what to send when it may be.</summary>
public sealed record HeldTag(string WikiId, string Domain, long RevId, string PolicyId, int PolicyVersion, string Tag, string HeldFor, string? Detail);

/// <summary>
/// The tagger's durable state, shared by its replicas (Postgres): the safety valves and the verdicts held back.
/// An open valve is a durable fact: opening only moves a valve from closed to open, and only <see cref="ResetValveAsync"/>
/// (an operator) closes it.
/// </summary>
public interface ITaggingStore
{
    /// <summary>Opens the pair's valve; true when this call opened it, false when it was open already (another replica, an earlier run).</summary>
    Task<bool> OpenValveAsync(ValveTrip trip, CancellationToken cancellationToken);

    Task<bool> IsValveOpenAsync(string wikiId, string policyId, CancellationToken cancellationToken);

    /// <summary>Every valve that ever opened, open ones first.</summary>
    Task<IReadOnlyList<ValveState>> ListValvesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds a verdict to its pair's window and counts the window: the latest <paramref name="size"/> verdicts no older
    /// than <paramref name="duration"/> before <see cref="ValveVerdict.At"/>. A verdict already in the window (the same
    /// revision, read again after a restart) is not added twice.
    /// </summary>
    Task<WindowCounts> RecordInWindowAsync(ValveVerdict verdict, int size, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Closes an open valve and empties its window (the verdicts that opened it must not open it again at once); false
    /// when it was not open. The verdicts held while it was open stay held.
    /// </summary>
    Task<bool> ResetValveAsync(string wikiId, string policyId, string resetBy, CancellationToken cancellationToken);

    /// <summary>Records a held verdict (once per wiki, revision and policy).</summary>
    Task HoldAsync(HeldTag held, CancellationToken cancellationToken);

    /// <summary>Held verdicts of one kind (<see cref="HeldTag.HeldFor"/>), oldest first.</summary>
    Task<IReadOnlyList<HeldTag>> ListHeldAsync(string heldFor, int limit, CancellationToken cancellationToken);

    /// <summary>Removes a held verdict once it has an outcome.</summary>
    Task ReleaseAsync(HeldTag held, CancellationToken cancellationToken);
}
