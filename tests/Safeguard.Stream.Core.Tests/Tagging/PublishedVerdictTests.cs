using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class PublishedVerdictTests
{
    [Fact]
    public void TryRead_SchemaExample_ReadsWhatTheTaggerNeeds()
    {
        Assert.True(PublishedVerdict.TryRead(VerdictSamples.Event(), out var verdict, out _));

        Assert.Equal(new PublishedVerdict("enwiki", "en.wikipedia.org", 1234567890, "Example", 0, "spam", 1, "ok", "enforce", "public", true), verdict);
    }

    [Fact]
    public void TryRead_ShadowVerdict_IsNotFlagged()
    {
        var verdict = VerdictSamples.Verdict(e =>
        {
            e.Safeguard().Remove("flagged");
            e.Safeguard()["would_flag"] = true;
            e.Safeguard()["mode"] = "shadow";
        });

        Assert.False(verdict.Flagged);
        Assert.Equal("shadow", verdict.Mode);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2]")]
    [InlineData("{\"wiki_id\":\"enwiki\"}")]
    public void TryRead_NotAVerdictEvent_FailsWithAReason(string payload)
    {
        Assert.False(PublishedVerdict.TryRead(System.Text.Encoding.UTF8.GetBytes(payload), out var verdict, out var error));

        Assert.Null(verdict);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryRead_RevIdOfTheWrongType_Fails()
    {
        var payload = VerdictSamples.Event(e => e["revision"]!["rev_id"] = "twelve");

        Assert.False(PublishedVerdict.TryRead(payload, out _, out var error));
        Assert.NotEmpty(error);
    }
}
