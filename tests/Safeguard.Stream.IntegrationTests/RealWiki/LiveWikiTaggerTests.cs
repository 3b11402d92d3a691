using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;

namespace Safeguard.Stream.IntegrationTests.RealWiki;

/// <summary>
/// Verdicts back on a real wiki: real edits → UDP RC feed → <see cref="RcFeedBridge"/> → <c>safeguard run</c> (vLLM
/// simulator) → Kafka; then <c>safeguard tagger --drain</c>, signed in with the bot's BotPassword, tags the flagged edits
/// (read back with <c>rvprop=tags</c>), does not tag a flagged edit whose text the wiki hid, and a second tagger (a new
/// consumer group) re-applying the same verdicts gets <c>noop</c>.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class LiveWikiTaggerTests(LocalServicesFixture services, RealWikiFixture fixture) : IClassFixture<RealWikiFixture>
{
    private const string Tag = "safeguard-vandalism";

    [Fact]
    public async Task Tagger_RealWiki_TagsTheFlaggedEdit_NotTheHiddenOne_AndASecondRunIsANoop()
    {
        var ct = TestContext.Current.CancellationToken;
        var (environment, settings) = await fixture.LiveWorkerAsync(services, "livetagger", "vandalism", ct);
        var api = fixture.Wiki.ApiUrl(RealWikiFixture.En);
        using (var sysop = await MediaWikiApiSession.LoginSysopAsync(api, ct))
        {
            // What `safeguard tags create` does (tested in Worker.Tests/TagsCommandTests): the tag must exist on the wiki.
            await sysop.PostAsync(ct, ("action", "managetags"), ("operation", "create"), ("tag", Tag), ("reason", "test"), ("token", await sysop.CsrfTokenAsync(ct)));
        }

        List<WikiEdit> edits;
        using (var worker = WorkerProcess.Start(["run"], settings))
        {
            using var editor = await MediaWikiApiSession.LoginSysopAsync(api, ct);
            edits =
            [
                await editor.EditAsync("Tagged page A", "Alpha is a river in the north.", "new page", ct),
                await editor.EditAsync("Tagged page A", "Alpha is a river in the north.\nJOHN WAS HERE lol", "vandal", ct),
                await editor.EditAsync("Tagged page A", "Alpha is a river in the north.\nIt flows into the sea.", "revert and more", ct),
                await editor.EditAsync("Tagged page B", "Beta is a town.", "new page", ct),
                await editor.EditAsync("Tagged page B", "Beta is a town.\nKEVIN WAS HERE", "vandal again", ct),
                await editor.EditAsync("Tagged page B", "Beta is a town.\nIt has a station.", "revert and more", ct),
            ];
            await fixture.RcFeed.WaitForEventsAsync(edits.Count, TimeSpan.FromSeconds(30), ct);
            await AuditRows.WaitForAsync(environment.ConnectionString, edits.Count, ct, worker);
            worker.Kill();
        }

        // What the worker flagged (the simulator flags "WAS HERE", added or removed), from the audit table.
        List<long> flagged;
        await using (var connection = new NpgsqlConnection(environment.ConnectionString))
        {
            await connection.OpenAsync(ct);
            flagged = [.. await connection.QueryAsync<long>(new CommandDefinition(
                "select rev_id from safeguard.classifications where flagged and mode = 'enforce' order by rev_id", cancellationToken: ct))];
        }

        var hidden = edits[4].RevId;
        Assert.Contains(edits[1].RevId, flagged);
        Assert.Contains(hidden, flagged);
        var tagged = flagged.Where(r => r != hidden).ToList();
        await fixture.HideAsync(hidden, "content", suppress: true, ct);

        settings["Safeguard:Tagging:Wikis:0"] = "enwiki";
        settings["Safeguard:Tagging:ReviewUrl"] = "https://review.example.org/safeguard";
        settings["Safeguard:Tagging:BotUsername"] = MediaWikiAccounts.BotLoginName;
        settings["Safeguard:Tagging:BotPassword"] = MediaWikiAccounts.BotPasswordKey;
        settings["Safeguard:Tagging:AutoOffsetReset"] = "earliest";
        settings["Safeguard:Tagging:GroupId"] = "tagger-" + Guid.NewGuid().ToString("N");
        settings["Safeguard:Tagging:RequestsPerSecond"] = "20";
        var first = await SafeguardProcess.RunAsync(["tagger", "--drain"], SafeguardProcess.Environment(settings), ct);

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains($"tagger: verdicts={edits.Count} tagged={tagged.Count} ", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("skipped revision_suppressed: 1", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("tagger: valve=closed", first.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(MediaWikiAccounts.BotPasswordKey, first.Stdout + first.Stderr, StringComparison.Ordinal);
        foreach (var edit in edits)
        {
            Assert.Equal(tagged.Contains(edit.RevId) ? [Tag] : [], await fixture.TagsOfAsync(edit.RevId, ct));
        }

        // A second tagger (another group) reads the same verdicts: the wiki answers noop, and nothing is tagged twice.
        settings["Safeguard:Tagging:GroupId"] = "tagger-" + Guid.NewGuid().ToString("N");
        var second = await SafeguardProcess.RunAsync(["tagger", "--drain"], SafeguardProcess.Environment(settings), ct);

        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.Contains($" tagged=0 already_tagged={tagged.Count} ", second.Stdout, StringComparison.Ordinal);
        Assert.Equal([Tag], await fixture.TagsOfAsync(tagged[0], ct));
    }
}
