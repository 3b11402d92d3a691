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
/// consumer group) re-applying the same verdicts gets <c>noop</c>; then a policy flagging most edits opens the safety
/// valve, and its new flagged edits are held, not tagged, while the verdicts go on being read.
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

        // The safety valve on the same wiki: the policy has flagged 4 of the 6 edits so far, and the valve's window
        // (in Postgres, one row per revision) holds them. With a minimum sample of 7 it opens on the next verdict:
        // the new vandal edits are held, not tagged, while every verdict is still read and counted.
        List<WikiEdit> later;
        using (var worker = WorkerProcess.Start(["run"], settings))
        {
            using var editor = await MediaWikiApiSession.LoginSysopAsync(api, ct);
            later =
            [
                await editor.EditAsync("Tagged page C", "Gamma is a hill.", "new page", ct),
                await editor.EditAsync("Tagged page C", "Gamma is a hill.\nSAM WAS HERE", "vandal", ct),
                await editor.EditAsync("Tagged page D", "Delta is a lake.", "new page", ct),
                await editor.EditAsync("Tagged page D", "Delta is a lake.\nALEX WAS HERE", "vandal", ct),
            ];
            await AuditRows.WaitForAsync(environment.ConnectionString, edits.Count + later.Count, ct, worker);
            worker.Kill();
        }

        var laterFlagged = new[] { later[1].RevId, later[3].RevId };
        settings["Safeguard:Tagging:GroupId"] = "tagger-" + Guid.NewGuid().ToString("N");
        settings["Safeguard:Tagging:MinSample"] = "7";
        var third = await SafeguardProcess.RunAsync(["tagger", "--drain"], SafeguardProcess.Environment(settings), ct);

        Assert.True(third.ExitCode == 0, third.Stdout + third.Stderr);
        Assert.Contains("tagger: valve=open enwiki/vandalism", third.Stdout, StringComparison.Ordinal);
        foreach (var rev in laterFlagged)
        {
            Assert.Empty(await fixture.TagsOfAsync(rev, ct));
        }

        await using (var connection = new NpgsqlConnection(environment.ConnectionString))
        {
            await connection.OpenAsync(ct);
            var held = (await connection.QueryAsync<long>(new CommandDefinition(
                "select rev_id from safeguard.tag_pending where held_for = 'valve_open' and policy_id = 'vandalism'", cancellationToken: ct))).ToList();
            Assert.Subset(held.ToHashSet(), laterFlagged.ToHashSet());
            Assert.Equal(edits.Count + later.Count, await connection.QuerySingleAsync<long>(new CommandDefinition(
                "select count(*) from safeguard.classifications", cancellationToken: ct)));
        }

        Assert.Equal([Tag], await fixture.TagsOfAsync(tagged[0], ct)); // what was tagged before stays tagged
    }
}
