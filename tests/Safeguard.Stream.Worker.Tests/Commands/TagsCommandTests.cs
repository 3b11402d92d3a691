using System.Text.Json.Nodes;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Worker.Tests.Commands;

/// <summary>One real MediaWiki 1.39 for <see cref="TagsCommandTests"/>.</summary>
public sealed class TagsWikiFixture : IAsyncLifetime
{
    public const string En = "en.wikipedia.org";

    public MediaWikiServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Server = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = [En] }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// <c>safeguard tags create</c>, the built binary, against a real wiki: a dry run changes nothing, the sysop creates
/// every public policy's tag with its description (and again finds them there), the bot gets the manual steps.
/// </summary>
public sealed class TagsCommandTests(TagsWikiFixture wiki) : IClassFixture<TagsWikiFixture>
{
    private static readonly string[] PublicTags = ["safeguard-blp", "safeguard-personal-attacks", "safeguard-spam", "safeguard-vandalism", "safeguard-vandalism-de"];

    private Dictionary<string, string> Environment(string user, string password) => new()
    {
        ["Safeguard__MediaWiki__ApiUrlTemplate"] = wiki.Server.ApiUrlTemplateString,
        ["Safeguard__Policies__Directory"] = Path.Combine(AppContext.BaseDirectory, "policies"),
        ["Safeguard__Tagging__BotUsername"] = user,
        ["Safeguard__Tagging__BotPassword"] = password,
        ["Safeguard__Tagging__PolicyUrl"] = "https://example.org/safeguard/policies/",
        ["Safeguard__Tagging__RequestsPerSecond"] = "50",
    };

    private async Task<JsonArray> WikiTagsAsync(CancellationToken ct)
    {
        using var anonymous = new MediaWikiApiSession(wiki.Server.ApiUrl(TagsWikiFixture.En));
        var answer = await anonymous.GetAsync(ct, ("action", "query"), ("list", "tags"), ("tgprop", "defined|active|source|description"), ("tglimit", "max"));
        return answer["query"]!["tags"]!.AsArray();
    }

    [Fact]
    public async Task TagsCreate_AsSysopThenDryRunThenAsBot_CreatesOnceDescribesAndOtherwiseOnlyReports()
    {
        var ct = TestContext.Current.CancellationToken;
        var sysop = Environment(MediaWikiAccounts.Sysop, MediaWikiAccounts.SysopPassword);

        // A dry run first: it reads, plans, and changes nothing.
        var (dryExit, dryOut, dryErr) = await CliProcess.RunAsync(["tags", "create", "--wiki", TagsWikiFixture.En, "--dry-run"], sysop, ct);
        Assert.True(dryExit == 0, dryErr);
        foreach (var tag in PublicTags)
        {
            Assert.Contains($"{tag,-28} would create", dryOut, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("safeguard-private-information", dryOut, StringComparison.Ordinal);
        Assert.DoesNotContain(await WikiTagsAsync(ct), t => ((string?)t!["name"])!.StartsWith("safeguard-", StringComparison.Ordinal));

        // As the sysop: every public policy's tag, active, described; the restricted policy's never.
        var (exit, stdout, stderr) = await CliProcess.RunAsync(["tags", "create", "--wiki", TagsWikiFixture.En], sysop, ct);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("created=5 activated=0 failed=0 manual=no", stdout, StringComparison.Ordinal);
        var tags = await WikiTagsAsync(ct);
        foreach (var name in PublicTags)
        {
            var tag = Assert.Single(tags, t => (string?)t!["name"] == name)!;
            Assert.True((bool?)tag["defined"]);
            Assert.True((bool?)tag["active"]);
            Assert.Equal(["manual"], tag["source"]!.AsArray().Select(s => (string?)s));
        }

        var spam = tags.Single(t => (string?)t!["name"] == "safeguard-spam")!;
        Assert.Contains("Spam, promotion and link spam", (string?)spam["description"], StringComparison.Ordinal);
        Assert.Contains("https://example.org/safeguard/policies/spam.md", (string?)spam["description"], StringComparison.Ordinal);
        Assert.DoesNotContain(tags, t => (string?)t!["name"] == "safeguard-private-information");

        // Again: nothing to create.
        var (againExit, againOut, againErr) = await CliProcess.RunAsync(["tags", "create", "--wiki", TagsWikiFixture.En], sysop, ct);
        Assert.True(againExit == 0, againOut + againErr);
        Assert.Contains("created=0 activated=0 failed=0", againOut, StringComparison.Ordinal);
        Assert.Contains($"{"safeguard-spam",-28} exists", againOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagsCreate_AsTheBot_PrintsTheStepsForAnAdministratorAndExits1WithoutAStackTrace()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["tags", "create", "--wiki", TagsWikiFixture.En],
            Environment(MediaWikiAccounts.BotLoginName, MediaWikiAccounts.BotPasswordKey), ct);

        Assert.Equal(1, exit);
        Assert.Contains($"The account {MediaWikiAccounts.Bot} lacks 'managechangetags' and 'editinterface' on {TagsWikiFixture.En}", stderr, StringComparison.Ordinal);
        Assert.Contains("title=Special:Tags", stderr, StringComparison.Ordinal);
        Assert.Contains("description page: MediaWiki:Tag-safeguard-vandalism-description", stderr, StringComparison.Ordinal);
        Assert.Contains("text: Safeguard.Stream: Vandalism ([https://example.org/safeguard/policies/vandalism.md policy text])", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("safeguard-private-information", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(MediaWikiAccounts.BotPasswordKey, stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("manual=yes", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagsCreate_WithoutCredentials_Exits2NamingTheKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = Environment("", "");

        var (exit, _, stderr) = await CliProcess.RunAsync(["tags", "create", "--wiki", TagsWikiFixture.En], environment, ct);

        Assert.Equal(2, exit);
        Assert.Contains("Safeguard:Tagging:BotUsername and Safeguard:Tagging:BotPassword", stderr, StringComparison.Ordinal);
    }
}
