using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Postgres.Tests;

[Collection(PostgresDefinition.Name)]
public sealed class PostgresAuditSinkTests(PostgresClusterFixture postgres)
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static EditEvent Edit(long rev) => new()
    {
        SchemaUri = "s",
        Stream = "s",
        Domain = "en.wikipedia.org",
        WikiId = "enwiki",
        RevId = rev,
        ParentRevId = rev - 1,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageId = 7,
        PageTitle = "Page",
        Namespace = 0,
        EventTime = s_now,
        Performer = new Performer("Someone", false, false, [], 3),
    };

    private static PolicyVerdict Verdict(string policy, PolicyVisibility visibility = PolicyVisibility.Public) => new()
    {
        PolicyId = policy,
        PolicyVersion = 1,
        Status = VerdictStatus.Ok,
        Violation = true,
        Probability = 0.93,
        Category = "X1",
        Rationale = "because",
        Flagged = true,
        Mode = PolicyMode.Enforce,
        Visibility = visibility,
        ReasoningEffort = ReasoningEffort.Low,
        Model = "m",
        LatencyMs = 10,
        ClassifiedAt = s_now,
    };

    private static ClassifiedResult Classified(long sequence, long rev, params PolicyVerdict[] verdicts)
    {
        var source = new SourceEvent(sequence, "test", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes("{}"));
        return new ClassifiedResult(new EnrichedEdit(new RoutedEdit(source, Edit(rev), []), DiffText.Empty), verdicts);
    }

    [Fact]
    public async Task WriteAsync_SameBatchTwice_StoresEachVerdictOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new PostgresAuditSink(dataSource, Options.Create(new PostgresOptions()));
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
        var stored = await connection.QuerySingleAsync<(float Probability, string Performer, Guid EventId)>(
            "select probability, performer, event_id from safeguard.classifications where rev_id = 101");
        Assert.Equal(0.93f, stored.Probability);
        Assert.Equal("Someone", stored.Performer);
        Assert.Equal(EventIdentity.ForVerdict("enwiki", 101, "spam", 1), stored.EventId);
    }

    [Fact]
    public async Task FlaggedEditsView_RestrictedPolicy_HidesTheRationale()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new PostgresAuditSink(dataSource, Options.Create(new PostgresOptions()));

        await sut.WriteAsync([Classified(1, 200, Verdict("spam"), Verdict("private-information", PolicyVisibility.Restricted))], ct);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(string PolicyId, string? Rationale)>(
            "select policy_id, rationale from safeguard.flagged_edits order by policy_id")).ToList();
        Assert.Equal([("private-information", (string?)null), ("spam", "because")], rows);
    }
}
