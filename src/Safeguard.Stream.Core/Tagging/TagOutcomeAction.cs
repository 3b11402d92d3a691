namespace Safeguard.Stream.Core.Tagging;

/// <summary>What the tagger does after a wiki's answer (issue 15, point 3). The offset moves past a verdict only after one.</summary>
public enum TagOutcomeAction
{
    /// <summary>Applied or already tagged: done.</summary>
    Done,

    /// <summary>The tag is not defined: pause the (wiki, tag) pair, hold the verdict, health names <c>safeguard tags create</c>.</summary>
    PauseTag,

    /// <summary>The bot lacks a right: stop the wiki, hold the verdict, health names the right.</summary>
    StopWiki,

    /// <summary>The revision is gone, hidden or suppressed: a counted skip with the wiki's reason.</summary>
    Skip,

    /// <summary>Try again with backoff; the offset is not committed past it.</summary>
    Retry,

    /// <summary>A permanent failure: the dead-letter table and topic.</summary>
    DeadLetter,
}

public static class TagOutcomeActions
{
    public static TagOutcomeAction For(TagOutcomeKind kind) => kind switch
    {
        TagOutcomeKind.Applied or TagOutcomeKind.AlreadyTagged => TagOutcomeAction.Done,
        TagOutcomeKind.TagUndefined => TagOutcomeAction.PauseTag,
        TagOutcomeKind.PermissionDenied => TagOutcomeAction.StopWiki,
        TagOutcomeKind.RevisionGone => TagOutcomeAction.Skip,
        TagOutcomeKind.Retryable => TagOutcomeAction.Retry,
        TagOutcomeKind.Failed => TagOutcomeAction.DeadLetter,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a tag outcome"),
    };
}
