using Safeguard.Stream.Classification.LoadTest;
using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification.Tests.LoadTest;

public sealed class SyntheticEditsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(2048)]
    public void Create_RenderedEdits_HaveTheRequestedO200kTokensOnAverage(int tokens)
    {
        SyntheticEdits.Prepare(tokens, s_now);
        var counts = Enumerable.Range(0, 200).Select(i => SyntheticEdits.Tokens(SyntheticEdits.Create(i, tokens, s_now))).ToList();

        // Each edit's fence (a hash repeated in every block header, whose hex digits tokenise differently) moves it by
        // up to a few dozen tokens, whatever its size; the mean is on target.
        Assert.InRange(counts.Average(), tokens * 0.97, tokens * 1.05);
        Assert.All(counts, n => Assert.InRange(n, tokens - 48, tokens + 48));
    }

    [Fact]
    public void Create_BelowTheTemplatesOwnSize_GivesTheBareTemplate()
    {
        var edit = SyntheticEdits.Create(0, 1, s_now);

        Assert.Empty(edit.Diff.Added);
        Assert.True(SyntheticEdits.Tokens(edit) > 1);
    }

    [Fact]
    public void Create_IsDeterministicAndEveryEditDiffers()
    {
        var first = EditPromptRenderer.Render(SyntheticEdits.Create(7, 256, s_now).Edit, SyntheticEdits.Create(7, 256, s_now).Diff);
        var again = EditPromptRenderer.Render(SyntheticEdits.Create(7, 256, s_now).Edit, SyntheticEdits.Create(7, 256, s_now).Diff);
        var prompts = Enumerable.Range(0, 200).Select(i => SyntheticEdits.Create(i, 256, s_now)).Select(r => EditPromptRenderer.Render(r.Edit, r.Diff)).ToList();

        Assert.Equal(first, again);
        Assert.Equal(prompts.Count, prompts.Distinct().Count());
        Assert.Contains("Load test page 7", first, StringComparison.Ordinal);
    }
}
