using System.Globalization;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;

namespace Safeguard.Stream.IntegrationTests.RealWiki;

/// <summary><c>safeguard classify --rev</c>, the built binary, on revisions a real wiki has hidden or suppressed.</summary>
public sealed class ClassifyRevisionTests(RealWikiFixture fixture) : IClassFixture<RealWikiFixture>
{
    private Dictionary<string, string> Environment() => SafeguardProcess.Environment(new Dictionary<string, string?>
    {
        ["Safeguard:MediaWiki:ApiUrlTemplate"] = fixture.Wiki.ApiUrlTemplateString,
        ["Safeguard:Llm:Endpoint"] = fixture.Llm.BaseUrl.ToString(),
        ["Safeguard:Policies:Directory"] = LocalServicesFixture.PoliciesPath,
        ["Logging:LogLevel:Default"] = "Warning",
    });

    private static string Rev(long revId) => string.Create(CultureInfo.InvariantCulture, $"{RealWikiFixture.En}:{revId}");

    [Theory]
    [InlineData(false, "is not classified: its text is hidden by revision deletion on the wiki (revision_hidden;")]
    [InlineData(true, "is not classified: its text is suppressed (oversighted) on the wiki (revision_suppressed;")]
    public async Task Classify_RevisionWithHiddenText_SaysPlainlyWhatIsHiddenAndExits1(bool suppress, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, middle, _) = await fixture.ThreeRevisionsAsync("Classify hidden " + suppress, "You are all idiots.", "vandal", ct);
        await fixture.HideAsync(middle.RevId, "content", suppress, ct);

        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(["classify", "--policy", "vandalism", "--rev", Rev(middle.RevId)], Environment(), ct);

        Assert.Equal(1, exitCode);
        Assert.Contains(Rev(middle.RevId) + " " + expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Classify_RevisionWithHiddenUserAndSummary_ClassifiesWithoutThemAndSaysSo()
    {
        var ct = TestContext.Current.CancellationToken;
        const string summary = "summary-only-the-wiki-may-show";
        var (_, middle, _) = await fixture.ThreeRevisionsAsync("Classify hidden summary", "Ordinary prose, nothing hidden.", summary, ct);
        await fixture.HideAsync(middle.RevId, "user|comment", suppress: false, ct);
        var before = fixture.Llm.CapturedRequests.Count;

        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(["classify", "--policy", "vandalism", "--rev", Rev(middle.RevId)], Environment(), ct);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"note: {Rev(middle.RevId)}: the wiki hides this revision's user name and edit summary; classified without it", stderr, StringComparison.Ordinal);
        Assert.Contains("status=ok", stdout, StringComparison.Ordinal);
        var request = Assert.Single(fixture.Llm.CapturedRequests.Skip(before));
        Assert.Contains("Ordinary prose, nothing hidden.", request, StringComparison.Ordinal);
        Assert.DoesNotContain(summary, request, StringComparison.Ordinal);
        Assert.DoesNotContain("Editbot", request, StringComparison.Ordinal);
    }
}
