using System.Globalization;
using System.Net.Sockets;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>The real-wiki fixture itself: what the other real-wiki tests rely on.</summary>
public sealed class MediaWikiServerTests
{
    [Fact]
    public async Task StartAsync_PreparedCopy_ServesEachDomainWithItsAccountsAndStopsWithoutAProcessLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = ["en.wikipedia.org", "de.wikipedia.org"] }, ct);
        var pid = server.ProcessId;
        var directory = server.Directory;
        var port = server.Port;
        TestContext.Current.SendDiagnosticMessage($"started in {server.StartTime.TotalMilliseconds:F0} ms");
        try
        {
            foreach (var (domain, wikiId, language) in new[] { ("en.wikipedia.org", "enwiki", "en"), ("de.wikipedia.org", "dewiki", "de") })
            {
                using var anonymous = new MediaWikiApiSession(server.ApiUrl(domain));
                var general = (await anonymous.GetAsync(ct, ("action", "query"), ("meta", "siteinfo")))["query"]!["general"]!;
                Assert.Equal(wikiId, (string?)general["wikiid"]);
                Assert.Equal(language, (string?)general["lang"]);
                Assert.StartsWith("MediaWiki 1.39", (string?)general["generator"], StringComparison.Ordinal);
                Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"), (string?)general["server"]);

                using var sysop = await MediaWikiApiSession.LoginSysopAsync(server.ApiUrl(domain), ct);
                var rights = (await sysop.GetAsync(ct, ("action", "query"), ("meta", "userinfo"), ("uiprop", "rights|groups")))["query"]!["userinfo"]!;
                var sysopRights = rights["rights"]!.AsArray().Select(r => (string?)r).ToList();
                Assert.Contains("suppressrevision", sysopRights);
                Assert.Contains("deleterevision", sysopRights);
                Assert.Contains("viewsuppressed", sysopRights);

                using var bot = await MediaWikiApiSession.LoginBotAsync(server.ApiUrl(domain), ct);
                var botInfo = (await bot.GetAsync(ct, ("action", "query"), ("meta", "userinfo"), ("uiprop", "groups")))["query"]!["userinfo"]!;
                Assert.Equal(MediaWikiAccounts.Bot, (string?)botInfo["name"]);
                Assert.Contains("bot", botInfo["groups"]!.AsArray().Select(g => (string?)g));
                var edit = await bot.EditAsync("Fixture check", "one line", "fixture check", ct);
                Assert.True(edit.RevId > 0);
            }

            // wikidiff2, not PHP's own engine, writes the diff: its table carries data-marker attributes.
            using var reader = new MediaWikiApiSession(server.ApiUrl("en.wikipedia.org"));
            using var editor = await MediaWikiApiSession.LoginBotAsync(server.ApiUrl("en.wikipedia.org"), ct);
            var first = await editor.EditAsync("Fixture diff", "alpha beta gamma\nsecond", "a", ct);
            var second = await editor.EditAsync("Fixture diff", "alpha delta gamma\nsecond", "b", ct);
            var compare = await reader.GetAsync(ct, ("action", "compare"), ("fromrev", first.RevId.ToString(CultureInfo.InvariantCulture)),
                ("torev", second.RevId.ToString(CultureInfo.InvariantCulture)), ("prop", "diff"), ("difftype", "table"));
            Assert.Contains("data-marker=\"+\"", (string?)compare["compare"]!["body"], StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(Directory.Exists(directory));
        // php is this process's child and was waited for, so its pid is gone, not a zombie.
        Assert.False(Directory.Exists($"/proc/{pid}"), $"php (pid {pid}) still runs");
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync("127.0.0.1", port, ct));
    }
}
