using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Ingest;

/// <summary>
/// The live worker (`safeguard run`, a real child process) on an EventStreams replay that cuts the connection at
/// irregular points, killed with SIGKILL twice and restarted: resuming from the Postgres checkpoint with
/// Last-Event-ID must leave exactly one row per in-scope edit and policy, none missing.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class EventStreamsResumeTests(LocalServicesFixture services)
{
    private const int EventCount = 5_000;

    [Fact]
    public async Task Run_CutsAndTwoKills_EveryInScopeEditClassifiedExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("sse", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var edits = SyntheticEdits.Create(EventCount, firstRevId: 500_000_000);
        foreach (var fixture in edits.Fixtures)
        {
            services.Wiki.AddFixture(fixture);
        }

        var random = new Random(20261127);
        var cuts = Enumerable.Range(0, 24).Select(_ => random.Next(120, 420)).ToList();
        await using var sse = await SseReplayServer.StartAsync(new SseReplayServerOptions
        {
            EventsPath = await edits.WriteEventsAsync(ct),
            CutAfterEventsSequence = cuts,
        }, ct: ct);

        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "EventStreams",
            ["Safeguard:Source:Url"] = sse.StreamUrl("mediawiki.page_change.v1").ToString(),
            ["Safeguard:Source:StallTimeout"] = "00:00:10",
            ["Safeguard:Source:ReconnectMaxDelay"] = "00:00:00.500",
            ["Safeguard:Policies:Enabled:0"] = "spam",
            ["Safeguard:Telemetry:HealthPort"] = "0",
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };
        var expected = edits.InScope.Count;

        var kills = 0;
        foreach (var killAt in new[] { expected * 3 / 10, expected * 65 / 100 })
        {
            using var worker = WorkerProcess.Start(["run"], settings);
            await AuditRows.WaitForAsync(environment.ConnectionString, killAt, ct, worker);
            worker.Kill();
            kills++;
        }

        using (var last = WorkerProcess.Start(["run"], settings))
        {
            await AuditRows.WaitForAsync(environment.ConnectionString, expected, ct, last);
            last.Kill();
        }

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var rows = (await connection.QueryAsync<(string WikiId, long RevId, string PolicyId)>(
            "select wiki_id, rev_id, policy_id from safeguard.classifications")).ToList();
        Assert.Equal(2, kills);
        Assert.Equal(expected, rows.Count);
        Assert.All(rows, r => Assert.Equal("spam", r.PolicyId));
        Assert.True(edits.InScope.SetEquals(rows.Select(r => (r.WikiId, r.RevId))), "rows differ from the in-scope edits");
        Assert.True(sse.ConnectionCount >= 13, $"expected at least 10 cuts plus 3 starts, saw {sse.ConnectionCount} connections");
        Assert.Contains(sse.LastEventIdsSeen.Skip(1), id => id is not null);
        var checkpoint = await connection.QuerySingleAsync<string>("select position from safeguard.checkpoints where source = 'eventstreams'");
        Assert.Contains("\"offset\"", checkpoint, StringComparison.Ordinal);
    }
}
