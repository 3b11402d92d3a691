using Safeguard.Stream.Core.Diffs;

namespace Safeguard.Stream.Core.Tests.Diffs;

public sealed class DiffTextTests
{
    /// <summary>One token per character: budgets are easy to reason about, and the rules do not depend on a vocabulary.</summary>
    private sealed class CharacterTokens : ITokenCounter
    {
        public int Calls { get; private set; }

        public int CountTokens(string text)
        {
            Calls++;
            return text.Length;
        }

        public int GetIndexByTokenCount(string text, int maxTokens) => Math.Min(text.Length, maxTokens);
    }

    private static DiffText CreateSut() => new(["added one", "added two"], ["removed"], ["context"])
    {
        Inserted = ["ins"],
        Deleted = ["del"],
    };

    [Fact]
    public void FitToTokenBudget_WithinBudget_KeepsEverythingAndCountsIt()
    {
        var fitted = CreateSut().FitToTokenBudget(1_000, new CharacterTokens());

        Assert.False(fitted.Truncated);
        Assert.Equal(["added one", "added two"], fitted.Added);
        Assert.Equal(["ins"], fitted.Inserted);
        // Each line costs its tokens plus one for its line break.
        Assert.Equal(4 + 10 + 10 + 4 + 8 + 8, fitted.TokenCount);
    }

    [Fact]
    public void FitToTokenBudget_OverBudget_KeepsAddedTextFirstThenRemovedThenContext()
    {
        // 4 (ins) + 10 + 10 (added) = 24; 12 more tokens reach into the removed text.
        var fitted = CreateSut().FitToTokenBudget(24 + 4 + 8, new CharacterTokens());

        Assert.True(fitted.Truncated);
        Assert.Equal(["ins"], fitted.Inserted);
        Assert.Equal(["added one", "added two"], fitted.Added);
        Assert.Equal(["del"], fitted.Deleted);
        Assert.Equal(["removed"], fitted.Removed);
        Assert.Empty(fitted.Context);
        Assert.Equal(36, fitted.TokenCount);
    }

    [Fact]
    public void FitToTokenBudget_LineCrossingTheBudget_IsCutAtATokenBoundary()
    {
        var diff = new DiffText([new string('a', 100)], ["removed"], []);

        var fitted = diff.FitToTokenBudget(41, new CharacterTokens());

        Assert.True(fitted.Truncated);
        Assert.Equal([new string('a', 40)], fitted.Added);
        Assert.Empty(fitted.Removed);
        Assert.Equal(41, fitted.TokenCount);
    }

    [Fact]
    public void FitToTokenBudget_TinyRemainder_DropsTheLineInsteadOfAStub()
    {
        var diff = new DiffText(["12345", new string('b', 50)], [], []);

        var fitted = diff.FitToTokenBudget(6 + 4, new CharacterTokens());

        Assert.Equal(["12345"], fitted.Added);
        Assert.True(fitted.Truncated);
    }

    [Fact]
    public void FitToTokenBudget_AlreadyFitted_ReturnsItWithoutCountingAgain()
    {
        var counter = new CharacterTokens();
        var fitted = CreateSut().FitToTokenBudget(1_000, counter);
        var calls = counter.Calls;

        var again = fitted.FitToTokenBudget(1_000, counter);

        Assert.Same(fitted, again);
        Assert.Equal(calls, counter.Calls);
    }

    [Fact]
    public void FitToTokenBudget_NegativeBudget_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CreateSut().FitToTokenBudget(-1, new CharacterTokens()));
    }

    [Fact]
    public void TruncateTo_KeepsAddedFirstKeepsInlineListsAndMarksTruncation()
    {
        var diff = new DiffText(["aaaa", "bbbb"], ["cccc"], ["dddd"]);

        var cut = diff.TruncateTo(6);

        Assert.True(cut.Truncated);
        Assert.Equal(["aaaa", "bb"], cut.Added);
        Assert.Empty(cut.Removed);
        Assert.False(diff.TruncateTo(100).Truncated);
        Assert.Equal(["ins"], CreateSut().TruncateTo(5).Inserted);
    }

    [Fact]
    public void TruncateTo_FittedTruncatedDiffWithinCharacters_StaysMarkedTruncated()
    {
        var fitted = new DiffText([new string('a', 100)], [], []).FitToTokenBudget(20, new CharacterTokens());

        Assert.True(fitted.TruncateTo(6_000).Truncated);
    }

    [Fact]
    public void IsEmpty_OnlyInlineChanges_IsNotEmpty()
    {
        Assert.False((DiffText.Empty with { Inserted = ["x"] }).IsEmpty);
        Assert.True(new DiffText([], [], ["moved paragraph"]).IsEmpty);
    }
}
