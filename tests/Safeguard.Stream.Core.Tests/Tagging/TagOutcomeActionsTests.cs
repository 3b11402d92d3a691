using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class TagOutcomeActionsTests
{
    [Theory]
    [InlineData(TagOutcomeKind.Applied, TagOutcomeAction.Done)]
    [InlineData(TagOutcomeKind.AlreadyTagged, TagOutcomeAction.Done)]
    [InlineData(TagOutcomeKind.TagUndefined, TagOutcomeAction.PauseTag)]
    [InlineData(TagOutcomeKind.PermissionDenied, TagOutcomeAction.StopWiki)]
    [InlineData(TagOutcomeKind.RevisionGone, TagOutcomeAction.Skip)]
    [InlineData(TagOutcomeKind.Retryable, TagOutcomeAction.Retry)]
    [InlineData(TagOutcomeKind.Failed, TagOutcomeAction.DeadLetter)]
    public void For_EachOutcome_HasItsAction(TagOutcomeKind kind, TagOutcomeAction action) => Assert.Equal(action, TagOutcomeActions.For(kind));

    [Fact]
    public void For_EveryOutcomeKind_IsMapped()
    {
        var actions = Enum.GetValues<TagOutcomeKind>().Select(TagOutcomeActions.For).ToList();

        Assert.Equal(Enum.GetValues<TagOutcomeKind>().Length, actions.Count);
    }

    [Fact]
    public void For_UnknownKind_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => TagOutcomeActions.For((TagOutcomeKind)99));
}
