using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Prompts;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// Hidden is not suppressed, on a real wiki with real <c>action=revisiondelete</c>: an anonymous <c>compare</c>
/// answers <c>missingcontent</c> for both, and the client asks <c>prop=revisions</c> to tell them apart. A hidden
/// user or summary is dropped from the edit, which is still classified. Each test writes pages of its own.
/// </summary>
public sealed class RevisionDeletionTests(RealWikiFixture wiki) : IClassFixture<RealWikiFixture>
{
    private const string Secret = "secret-summary-7f3a";

    /// <summary>Three revisions of a fresh page (the middle one is not the current one, so its text may be hidden).</summary>
    private async Task<(WikiEdit First, WikiEdit Middle, WikiEdit Last)> ThreeRevisionsAsync(string title, CancellationToken ct)
    {
        using var bot = await MediaWikiApiSession.LoginBotAsync(wiki.Server.ApiUrl(RealWikiFixture.En), ct);
        var first = await bot.EditAsync(title, "First line of the page.\nSecond line.", "create " + Secret, ct);
        var middle = await bot.EditAsync(title, "First line of the page.\nSecond line, with an insult in it.\nThird line.", "edit " + Secret, ct);
        var last = await bot.EditAsync(title, "First line of the page.\nSecond line, with an insult in it.\nThird line.\nFourth line.", "tidy " + Secret, ct);
        return (first, middle, last);
    }

    private async Task HideAsync(long revId, string hide, bool suppress, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(wiki.Server.ApiUrl(RealWikiFixture.En), ct);
        await sysop.RevisionDeleteAsync(revId, hide, suppress, "test: " + hide, ct);
    }

    private static EditEvent EventFor(WikiEdit edit, string title) => new()
    {
        SchemaUri = "/mediawiki/recentchange/1.0.0",
        Stream = "mediawiki.recentchange",
        Domain = RealWikiFixture.En,
        WikiId = "enwiki",
        RevId = edit.RevId,
        ParentRevId = edit.ParentRevId,
        Kind = edit.ParentRevId is null ? EditKind.Create : EditKind.Edit,
        SourceKind = edit.ParentRevId is null ? "new" : "edit",
        PageTitle = title,
        Namespace = 0,
        EventTime = DateTimeOffset.UnixEpoch,
        // What the event carried before the wiki hid it.
        Comment = "edit " + Secret,
        Performer = new Performer(MediaWikiAccounts.Bot, true, false, [], null),
    };

    private (MediaWikiClient Client, Microsoft.Extensions.Hosting.IHost Host) CreateSut()
    {
        var host = MediaWikiTestHost.Create(new Dictionary<string, string?> { ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.Server.ApiUrlTemplateString });
        return (host.Services.GetRequiredService<MediaWikiClient>(), host);
    }

    [Fact]
    public async Task RevisionDelete_HideCurrentRevisionsText_IsRefusedByTheWiki()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, _, last) = await ThreeRevisionsAsync("Revdel current", ct);

        var refused = await Assert.ThrowsAsync<MediaWikiApiException>(() => HideAsync(last.RevId, "content", suppress: false, ct));

        Assert.Contains("revdelete-hide-current", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, SkipReason.RevisionHidden)]
    [InlineData(true, SkipReason.RevisionSuppressed)]
    public async Task GetDiffAsync_TextHiddenOrSuppressed_SkipsWithTheRightReasonForTheEditAndTheNextOne(bool suppress, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        var title = "Revdel text " + suppress.ToString(CultureInfo.InvariantCulture);
        var (_, middle, last) = await ThreeRevisionsAsync(title, ct);
        await HideAsync(middle.RevId, "content", suppress, ct);
        var (client, host) = CreateSut();
        using var _ = host;

        var own = await client.GetDiffAsync(EventFor(middle, title), ct);
        var next = await client.GetDiffAsync(EventFor(last, title), ct);

        Assert.Equal(reason, own.SkipReason);
        Assert.Null(own.Diff);
        Assert.EndsWith(suppress ? "revision text suppressed" : "revision text hidden", own.Detail, StringComparison.Ordinal);
        // The next edit's parent is the hidden one: its diff would show the hidden text as removed.
        Assert.Equal(reason, next.SkipReason);
        Assert.EndsWith(suppress ? "parent revision text suppressed" : "parent revision text hidden", next.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user|comment", false, HiddenFields.User | HiddenFields.Summary)]
    [InlineData("comment", false, HiddenFields.Summary)]
    [InlineData("user", true, HiddenFields.User)]
    public async Task Enrich_UserOrSummaryHidden_ClassifiesTheDiffWithoutThem(string hide, bool suppress, HiddenFields hidden)
    {
        var ct = TestContext.Current.CancellationToken;
        var title = $"Revdel {hide.Replace('|', ' ')} {suppress}";
        var (_, middle, _) = await ThreeRevisionsAsync(title, ct);
        await HideAsync(middle.RevId, hide, suppress, ct);
        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?> { ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.Server.ApiUrlTemplateString }, stage: true);
        var channels = host.Services.GetRequiredService<PipelineChannels>();
        await host.StartAsync(ct);

        await channels.Routed.Writer.WriteAsync(new RoutedEdit(new SourceEvent(1, "test", null, ReadOnlyMemory<byte>.Empty), EventFor(middle, title), []), ct);
        channels.Routed.Writer.Complete();
        var enriched = new List<EnrichedEdit>();
        await foreach (var item in channels.Enriched.Reader.ReadAllAsync(ct))
        {
            enriched.Add(item);
        }

        await host.StopAsync(ct);

        var edit = Assert.Single(enriched);
        Assert.Equal(hidden, edit.Edit.Hidden);
        Assert.Contains("Second line, with an insult in it.", edit.Diff.Added);
        Assert.Equal(hidden.HasFlag(HiddenFields.Summary), edit.Edit.Comment is null);
        Assert.Equal(hidden.HasFlag(HiddenFields.User), edit.Edit.Performer is null);
        var prompt = EditPromptRenderer.Render(edit.Edit, edit.Diff);
        Assert.Equal(!hidden.HasFlag(HiddenFields.Summary), prompt.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetDiffAsync_CreationWithUserHidden_ReturnsTheContentAndSaysTheUserIsHidden()
    {
        var ct = TestContext.Current.CancellationToken;
        var (first, _, _) = await ThreeRevisionsAsync("Revdel creation user", ct);
        await HideAsync(first.RevId, "user", suppress: false, ct);
        var (client, host) = CreateSut();
        using var _ = host;

        var result = await client.GetDiffAsync(EventFor(first, "Revdel creation user"), ct);

        Assert.Equal(["First line of the page.", "Second line."], result.Diff!.Added);
        Assert.Equal(HiddenFields.User, result.Hidden);
    }

    [Fact]
    public async Task GetDiffAsync_NothingHidden_IsAnOrdinaryDiff()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, middle, _) = await ThreeRevisionsAsync("Revdel none", ct);
        var (client, host) = CreateSut();
        using var _ = host;

        var result = await client.GetDiffAsync(EventFor(middle, "Revdel none"), ct);

        Assert.Equal(HiddenFields.None, result.Hidden);
        Assert.Contains("Second line.", result.Diff!.Removed);
        Assert.Contains("Third line.", result.Diff.Added);
    }
}
