using System.Globalization;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// A real wiki (<see cref="RealWikiFixture"/>) set up for change tags: <see cref="Tag"/> defined by the sysop
/// (<c>action=managetags</c>), and two accounts that may not tag: the bot's second BotPassword with the grant
/// <c>basic</c> and <c>highvolume</c> only (<see cref="NoGrantLogin"/>: a bot, but no grant carries <c>changetags</c>),
/// a third with <c>basic</c> only (<see cref="NoBotGrantLogin"/>: not even <c>bot</c>), and a bot whose groups have <c>changetags</c> revoked
/// (<see cref="NoRightLogin"/>, <c>$wgRevokePermissions</c> in this copy's settings).
/// </summary>
public sealed class TaggingWikiFixture : IAsyncLifetime
{
    public const string Tag = "safeguard-spam";

    public const string NoGrantLogin = MediaWikiAccounts.Bot + "@nogrant";

    public const string NoBotGrantLogin = MediaWikiAccounts.Bot + "@nobot";

    public const string NoRightUser = "Taglessbot";

    public const string NoRightLogin = NoRightUser + "@tests";

    /// <summary>BotPassword keys must match <c>^[0-9a-w]{32,}$</c>.</summary>
    public const string OtherKey = "abcdefghijklmnopqrstuvw0123456789";

    private readonly RealWikiFixture _wiki = new();

    public MediaWikiServer Server => _wiki.Server;

    public Uri Api => Server.ApiUrl(RealWikiFixture.En);

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await _wiki.InitializeAsync();
        var settings = Path.Combine(Server.Directory, "wikis", RealWikiFixture.En, "LocalSettings.php");
        await File.AppendAllTextAsync(settings, "\n$wgRevokePermissions['notagging']['changetags'] = true;\n", ct);
        await MaintenanceAsync("createBotPassword.php", ["--appid", "nogrant", "--grants", "basic,highvolume", MediaWikiAccounts.Bot, OtherKey], ct);
        await MaintenanceAsync("createBotPassword.php", ["--appid", "nobot", "--grants", "basic", MediaWikiAccounts.Bot, OtherKey], ct);
        await MaintenanceAsync("createAndPromote.php", ["--bot", "--custom-groups", "notagging", NoRightUser, "Sg-Tagless-Pass-2026"], ct);
        await MaintenanceAsync("createBotPassword.php", ["--appid", "tests", "--grants", "basic,highvolume,editpage,createeditmovepage", NoRightUser, OtherKey], ct);

        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Api, ct);
        await sysop.PostAsync(ct, ("action", "managetags"), ("operation", "create"), ("tag", Tag), ("reason", "test fixture"), ("token", await sysop.CsrfTokenAsync(ct)));
    }

    /// <summary>Two revisions of a fresh page by the bot; the first one's text may be hidden (it is not the current one).</summary>
    public async Task<(WikiEdit Older, WikiEdit Current)> TwoRevisionsAsync(string title, CancellationToken ct)
    {
        using var bot = await MediaWikiApiSession.LoginBotAsync(Api, ct);
        var older = await bot.EditAsync(title, "Buy cheap watches at example dot com.", "spam", ct);
        var current = await bot.EditAsync(title, "Buy cheap watches at example dot com.\nAnd more.", "spam again", ct);
        return (older, current);
    }

    /// <summary>The revision's tags as the sysop (who sees suppressed revisions) reads them: <c>prop=revisions&amp;rvprop=tags</c>.</summary>
    public async Task<IReadOnlyList<string>> TagsOfAsync(long revId, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Api, ct);
        var answer = await sysop.GetAsync(ct, ("action", "query"), ("prop", "revisions"), ("revids", revId.ToString(CultureInfo.InvariantCulture)), ("rvprop", "ids|tags"));
        return [.. answer["query"]!["pages"]!.AsArray().SelectMany(p => p!["revisions"]!.AsArray()).SelectMany(r => r!["tags"]!.AsArray()).Select(t => (string)t!)];
    }

    public async Task HideAsync(long revId, bool suppress, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Api, ct);
        await sysop.RevisionDeleteAsync(revId, "content", suppress, "test", ct);
    }

    private async Task MaintenanceAsync(string script, string[] arguments, CancellationToken ct)
    {
        var result = await Server.RunMaintenanceAsync(RealWikiFixture.En, script, arguments, ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({result.ExitCode}): {result.StandardOutput}{result.StandardError}");
        }
    }

    public ValueTask DisposeAsync() => _wiki.DisposeAsync();
}
