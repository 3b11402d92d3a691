using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;

namespace Safeguard.Stream.IntegrationTests.RealWiki;

/// <summary>
/// The whole path on real software: a scripted editor edits a real MediaWiki; its UDP RC feed becomes
/// mediawiki.recentchange over SSE (<see cref="RcFeedBridge"/>); <c>safeguard run</c> reads that stream, fetches each
/// real diff, classifies it (vLLM simulator) and publishes to Kafka and Postgres. Then the wiki hides a revision
/// (real <c>action=revisiondelete</c>, which the RC feed reports as <c>log delete/revision</c>), and an oversighter
/// runs <c>safeguard db redact</c> for another: both are redacted in Postgres and in Kafka, and the moderator view
/// shows nothing of them.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class LiveWikiWorkerTests(LocalServicesFixture services, RealWikiFixture fixture) : IClassFixture<RealWikiFixture>
{
    private sealed record Row(long RevId, string PolicyId, bool Flagged, string? Rationale, string? Performer, DateTime? RedactedAt, string? RedactionReason);

    [Fact]
    public async Task Run_RealEditsThenRevisionDeletion_OneVerdictPerEditAndPolicyThenRedactedInBothSinks()
    {
        var ct = TestContext.Current.CancellationToken;
        var (environment, settings) = await fixture.LiveWorkerAsync(services, "livewiki", "vandalism", ct);
        using var worker = WorkerProcess.Start(["run"], settings);

        // The scripted editor: not a bot (bots are skipped), two pages, a creation and edits each.
        using var editor = await MediaWikiApiSession.LoginSysopAsync(fixture.Wiki.ApiUrl(RealWikiFixture.En), ct);
        var edits = new List<WikiEdit>
        {
            await editor.EditAsync("Live page A", "Alpha is a river in the north.", "new page", ct),
            await editor.EditAsync("Live page A", "Alpha is a river in the north.\nJOHN WAS HERE lol", "secret summary of a vandal", ct),
            await editor.EditAsync("Live page A", "Alpha is a river in the north.\nJOHN WAS HERE lol\nIt flows into the sea.", "more", ct),
            await editor.EditAsync("Live page B", "Beta is a town.", "new page", ct),
            await editor.EditAsync("Live page B", "Beta is a town.\nKEVIN WAS HERE", "vandal again", ct),
            await editor.EditAsync("Live page B", "Beta is a town.\nKEVIN WAS HERE\nIt has a station.", "more", ct),
        };
        await fixture.RcFeed.WaitForEventsAsync(edits.Count, TimeSpan.FromSeconds(30), ct);
        await AuditRows.WaitForAsync(environment.ConnectionString, edits.Count, ct, worker);
        await Task.Delay(500, ct); // a duplicate, if any, would land now

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        await connection.OpenAsync(ct);
        var rows = await RowsAsync(connection, ct);
        Assert.Equal(edits.Select(e => e.RevId).Order(), rows.Select(r => r.RevId).Order()); // one verdict per edit and policy, none missing
        Assert.All(rows, r => Assert.Equal("vandalism", r.PolicyId));
        var vandal = edits[1].RevId;
        var manual = edits[4].RevId;
        Assert.True(rows.Single(r => r.RevId == vandal).Flagged, "the simulator flags 'WAS HERE'");
        Assert.Equal(MediaWikiAccounts.Sysop, rows.Single(r => r.RevId == vandal).Performer);
        Assert.Equal(1, await ModeratorSeesAsync(connection, vandal, ct));

        var events = await VerdictEventsAsync(environment, ct);
        Assert.Equal(rows.Select(r => (r.RevId, r.PolicyId)).Order(), events.Select(e => (RevId(e), PolicyId(e))).Order());
        EventSchemaValidator.AssertAllValid(events);

        // The wiki hides the vandal's text (not the current revision, which cannot be hidden): the RC feed says
        // log delete/revision and the worker redacts.
        using (var sysop = await MediaWikiApiSession.LoginSysopAsync(fixture.Wiki.ApiUrl(RealWikiFixture.En), ct))
        {
            await sysop.RevisionDeleteAsync(vandal, "content|comment", suppress: false, "vandalism", ct);
        }

        // An oversighter redacts another by hand.
        var redact = await SafeguardProcess.RunAsync(["db", "redact", "--wiki", "enwiki", "--rev", manual.ToString(CultureInfo.InvariantCulture)],
            SafeguardProcess.Environment(settings), ct);
        Assert.True(redact.ExitCode == 0, redact.Stderr);
        Assert.Contains("1 verdicts redacted", redact.Stdout, StringComparison.Ordinal);

        await WaitAsync(async () => (await RowsAsync(connection, ct)).Single(r => r.RevId == vandal).RedactedAt is not null, worker, ct);
        rows = await RowsAsync(connection, ct);
        foreach (var (revId, reason) in new[] { (vandal, "text_hidden"), (manual, "manual") })
        {
            var row = rows.Single(r => r.RevId == revId);
            Assert.Equal(reason, row.RedactionReason);
            Assert.Null(row.Rationale);
            Assert.Null(row.Performer);
            Assert.True(row.Flagged, "flags stay, so counts and feedback add up");
            Assert.Equal(0, await ModeratorSeesAsync(connection, revId, ct));
        }

        Assert.All(rows.Where(r => r.RevId != vandal && r.RevId != manual), r => Assert.Null(r.RedactedAt));
        var reasoning = await connection.QuerySingleAsync<long>(new CommandDefinition(
            "select count(*) from safeguard.classifications where rev_id = any(@revs) and reasoning is not null", new { revs = new[] { vandal, manual } }, cancellationToken: ct));
        Assert.Equal(0, reasoning);

        events = await VerdictEventsAsync(environment, ct);
        var redactions = events.Where(e => e.GetProperty("safeguard").GetProperty("status").GetString() == "redacted").ToList();
        Assert.Equal(new[] { manual, vandal }.Order(), redactions.Select(RevId).Order());
        Assert.All(redactions, e =>
        {
            Assert.False(e.GetProperty("safeguard").TryGetProperty("rationale", out _));
            Assert.False(e.TryGetProperty("performer", out _));
            var original = events.First(o => o.GetProperty("safeguard").GetProperty("status").GetString() != "redacted" && RevId(o) == RevId(e));
            Assert.Equal(original.GetProperty("meta").GetProperty("id").GetString(), e.GetProperty("meta").GetProperty("id").GetString());
        });
        Assert.Equal(2, redactions.Count);
        EventSchemaValidator.AssertAllValid(events);
        worker.Kill();
    }

    private static long RevId(JsonElement e) => e.GetProperty("revision").GetProperty("rev_id").GetInt64();

    private static string PolicyId(JsonElement e) => e.GetProperty("safeguard").GetProperty("policy_id").GetString()!;

    private static async Task<List<Row>> RowsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        [.. await connection.QueryAsync<Row>(new CommandDefinition(
            "select rev_id as RevId, policy_id as PolicyId, flagged as Flagged, rationale as Rationale, performer as Performer, redacted_at as RedactedAt, redaction_reason as RedactionReason from safeguard.classifications",
            cancellationToken: ct))];

    /// <summary>What the moderator role sees of a revision in its view (flagged_edits), read as that role.</summary>
    private static async Task<long> ModeratorSeesAsync(NpgsqlConnection connection, long revId, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("set local role safeguard_moderator", transaction: transaction, cancellationToken: ct));
        var count = await connection.QuerySingleAsync<long>(new CommandDefinition(
            "select count(*) from safeguard.flagged_edits where rev_id = @revId", new { revId }, transaction, cancellationToken: ct));
        await transaction.RollbackAsync(ct);
        return count;
    }

    private async Task<List<JsonElement>> VerdictEventsAsync(TestEnvironment environment, CancellationToken ct) =>
        [.. (await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.Topic, ct)).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static async Task WaitAsync(Func<Task<bool>> condition, WorkerProcess worker, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (60 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.False(worker.HasExited, "the worker exited on its own:\n" + worker.Tail);
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "not redacted within 60 s:\n" + worker.Tail);
            await Task.Delay(200, ct);
        }
    }
}
