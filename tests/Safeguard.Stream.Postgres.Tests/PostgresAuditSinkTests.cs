using System.Text;
using Dapper;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using static Safeguard.Stream.Postgres.Tests.TestResults;

namespace Safeguard.Stream.Postgres.Tests;

[Collection(PostgresDefinition.Name)]
public sealed class PostgresAuditSinkTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task WriteAsync_SameBatchTwice_StoresEachVerdictOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = Sink(dataSource);
        PipelineResult[] batch =
        [
            Classified(1, 100, Verdict("spam"), Verdict("blp")),
            Classified(2, 101, Verdict("spam")),
            new DeadLetteredResult(new SourceEvent(3, "test", "3", Encoding.UTF8.GetBytes("bad\0payload")), null, "malformed_json", "line 3: x"),
        ];

        await sut.WriteAsync(batch, ct);
        await sut.WriteAsync(batch, ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Assert.Equal(3, await connection.QuerySingleAsync<long>("select count(*) from safeguard.classifications"));
        var dead = await connection.QuerySingleAsync<(string Reason, string Payload)>("select reason, payload from safeguard.dead_letters");
        Assert.Equal("malformed_json", dead.Reason);
        Assert.Equal("bad\uFFFDpayload", dead.Payload);
        var stored = await connection.QuerySingleAsync<(float Probability, string Performer, Guid EventId, string Reasoning)>(
            "select probability, performer, event_id, reasoning from safeguard.classifications where rev_id = 101");
        Assert.Equal(0.93f, stored.Probability);
        Assert.Equal("Someone", stored.Performer);
        Assert.Equal(EventIdentity.ForVerdict("enwiki", 101, "spam", 1), stored.EventId);
        Assert.Equal("the analysis of spam", stored.Reasoning);
    }

    [Fact]
    public async Task WriteAsync_EditWithRevertRisk_StoresItWithEveryVerdictAndNullWithout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var scored = Classified(1, 100, Verdict("spam"), Verdict("blp")) with { RevertRisk = new RevertRiskScore(0.17687281966209412, "revertrisk-language-agnostic", "3") };

        await Sink(dataSource).WriteAsync([scored, Classified(2, 101, Verdict("spam"))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(long RevId, string PolicyId, float? Risk, string? Model)>(
            "select rev_id, policy_id, revert_risk, revert_risk_model from safeguard.classifications order by rev_id, policy_id")).ToList();
        Assert.Equal(
            [(100L, "blp", 0.17687282f, "revertrisk-language-agnostic:3"), (100L, "spam", 0.17687282f, "revertrisk-language-agnostic:3"), (101L, "spam", null, null)],
            rows);
    }

    [Fact]
    public async Task WriteAsync_LongDeadLetterPayload_KeepsAtMostTheCapInBytesOnACharacterBoundary()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        // 3-byte characters: a cap of 10 bytes holds three of them (9 bytes), not 10 characters (the old unit).
        var payload = Encoding.UTF8.GetBytes(new string('€', 50));
        var sut = Sink(dataSource, new PostgresOptions { DeadLetterPayloadBytes = 10 });

        await sut.WriteAsync([new DeadLetteredResult(new SourceEvent(1, "test", "1", payload), null, "malformed_json", "x")], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Assert.Equal("€€€", await connection.QuerySingleAsync<string>("select payload from safeguard.dead_letters"));
    }

    [Fact]
    public async Task WriteAsync_RevisionsOfTwoMonths_LandInTheirMonthsPartitions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = Sink(dataSource);
        var march = new DateTimeOffset(2019, 3, 31, 23, 59, 59, TimeSpan.Zero);
        var april = new DateTimeOffset(2019, 4, 1, 0, 0, 1, TimeSpan.Zero);

        await sut.WriteAsync([Classified(1, Edit(300, march), Verdict("spam")), Classified(2, Edit(301, april), Verdict("spam"))], ct);
        // A replay lands in the same partition and adds nothing.
        await sut.WriteAsync([Classified(1, Edit(300, march), Verdict("spam"))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(string Partition, long RevId)>(
            "select tableoid::regclass::text, rev_id from safeguard.classifications order by rev_id")).ToList();
        Assert.Equal([("safeguard.classifications_y2019m03", 300L), ("safeguard.classifications_y2019m04", 301L)], rows);
    }

    [Fact]
    public async Task WriteAsync_AfterItsPartitionWasPruned_FailsOnceThenRecreatesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var partitions = new ClassificationPartitions(dataSource);
        var sut = new PostgresAuditSink(dataSource, partitions, Microsoft.Extensions.Options.Options.Create(new PostgresOptions()));
        var old = new DateTimeOffset(2018, 6, 15, 0, 0, 0, TimeSpan.Zero);
        await sut.WriteAsync([Classified(1, Edit(400, old), Verdict("spam"))], ct);

        // Another process (`db prune`) drops the month this sink knows about.
        await new ClassificationPartitions(dataSource).PruneAsync(new DateTimeOffset(2018, 7, 1, 0, 0, 0, TimeSpan.Zero), ct);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => sut.WriteAsync([Classified(2, Edit(401, old), Verdict("spam"))], ct));
        await sut.WriteAsync([Classified(2, Edit(401, old), Verdict("spam"))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Assert.Equal([401L], await connection.QueryAsync<long>("select rev_id from safeguard.classifications"));
    }

    [Fact]
    public async Task FlaggedEditsView_RestrictedPolicy_HidesTheRationale()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);

        await Sink(dataSource).WriteAsync([Classified(1, 200, Verdict("spam"), Verdict("private-information", PolicyVisibility.Restricted))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(string PolicyId, string? Rationale)>(
            "select policy_id, rationale from safeguard.flagged_edits order by policy_id")).ToList();
        Assert.Equal([("private-information", (string?)null), ("spam", "because spam")], rows);
    }

    [Fact]
    public async Task FlaggedEditsView_ShadowModeVerdict_IsNotListed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);

        await Sink(dataSource).WriteAsync([Classified(1, 210, Verdict("spam"), Verdict("vandalism", mode: PolicyMode.Shadow))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Assert.Equal(["spam"], await connection.QueryAsync<string>("select policy_id from safeguard.flagged_edits"));
        Assert.Equal(2, await connection.QuerySingleAsync<long>("select count(*) from safeguard.classifications where flagged"));
    }
}
