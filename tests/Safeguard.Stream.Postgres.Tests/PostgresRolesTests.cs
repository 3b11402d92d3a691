using Dapper;
using Npgsql;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using static Safeguard.Stream.Postgres.Tests.TestResults;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>The three roles of migration 0004, exercised on a real cluster by switching the session's role.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresRolesTests(PostgresClusterFixture postgres)
{
    private const string InsufficientPrivilege = "42501";

    private async Task<NpgsqlDataSource> SeededAsync(CancellationToken ct)
    {
        var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        await using var writer = PostgresClusterFixture.AsRole(dataSource, "safeguard_writer");
        // The worker's role writes a batch itself: partitions, verdicts, dead letters.
        await Sink(writer).WriteAsync(
        [
            Classified(1, 500, Verdict("spam"), Verdict("private-information", PolicyVisibility.Restricted)),
            new DeadLetteredResult(new SourceEvent(2, "test", "2", "{"u8.ToArray()), null, "malformed_json", "line 2"),
        ], ct);
        await new PostgresCheckpointStore(writer, TimeProvider.System).CommitAsync(
            new Dictionary<string, string> { ["test"] = "2" }, new Dictionary<(string, string), long> { [("test", "bot")] = 1 }, ct);
        return dataSource;
    }

    [Fact]
    public async Task Moderator_ReadsFlaggedEdits_NoRestrictedVerdictAtAll()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var moderator = PostgresClusterFixture.AsRole(dataSource, "safeguard_moderator");
        await using var connection = await moderator.OpenConnectionAsync(ct);

        var rows = (await connection.QueryAsync<(string PolicyId, string? Rationale, string DiffUrl)>(new CommandDefinition(
            "select policy_id, rationale, diff_url from safeguard.flagged_edits order by policy_id", cancellationToken: ct))).ToList();

        Assert.Equal([("spam", (string?)"because spam", "https://en.wikipedia.org/w/index.php?diff=500")], rows);
    }

    [Fact]
    public async Task RestrictedReader_ReadsFlaggedEdits_RestrictedVerdictsIncluded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var reader = PostgresClusterFixture.AsRole(dataSource, "safeguard_restricted_reader");
        await using var connection = await reader.OpenConnectionAsync(ct);

        var policies = (await connection.QueryAsync<string>(new CommandDefinition(
            "select policy_id from safeguard.flagged_edits order by policy_id", cancellationToken: ct))).ToList();

        Assert.Equal(["private-information", "spam"], policies);
    }

    [Theory]
    [InlineData("select rationale from safeguard.classifications")]
    [InlineData("select reasoning from safeguard.classifications")]
    [InlineData("select rationale from safeguard.classifications_y2026m11")]
    [InlineData("select payload from safeguard.dead_letters")]
    [InlineData("insert into safeguard.classifications (wiki_id, rev_id, policy_id, policy_version, rev_dt, event_id, domain, page_title, namespace, status, flagged, mode, visibility, model, reasoning_effort, latency_ms, classified_at) values ('enwiki', 1, 'spam', 1, now(), gen_random_uuid(), 'en.wikipedia.org', 'P', 0, 'ok', true, 'enforce', 'public', 'm', 'low', 1, now())")]
    [InlineData("update safeguard.classifications set flagged = false")]
    [InlineData("delete from safeguard.classifications")]
    [InlineData("select safeguard.ensure_classifications_partition(now())")]
    [InlineData("select safeguard.drop_classifications_partitions_before(now())")]
    [InlineData("insert into safeguard.feedback (event_id, verdict, moderator) values ('00000000-0000-0000-0000-000000000000', 'correct', 'someone else')")]
    public async Task Moderator_CannotReadOrWriteBeyondTheViewAndFeedback(string sql)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var moderator = PostgresClusterFixture.AsRole(dataSource, "safeguard_moderator");
        await using var connection = await moderator.OpenConnectionAsync(ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct)));

        Assert.Equal(InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Moderator_WritesFeedbackByEventId_AsThemselves()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var moderator = PostgresClusterFixture.AsRole(dataSource, "safeguard_moderator");
        await using var connection = await moderator.OpenConnectionAsync(ct);
        var eventId = await connection.QuerySingleAsync<Guid>(new CommandDefinition(
            "select event_id from safeguard.flagged_edits where policy_id = 'spam'", cancellationToken: ct));

        await connection.ExecuteAsync(new CommandDefinition(
            "insert into safeguard.feedback (event_id, verdict, note) values (@eventId, 'incorrect', 'a reliable source, not spam')",
            new { eventId }, cancellationToken: ct));

        var stored = await connection.QuerySingleAsync<(string WikiId, long RevId, string PolicyId, string Moderator)>(new CommandDefinition(
            "select wiki_id, rev_id, policy_id, moderator from safeguard.feedback", cancellationToken: ct));
        Assert.Equal(("enwiki", 500L, "spam", "safeguard_moderator"), stored);
    }

    [Fact]
    public async Task Feedback_UnknownEventId_IsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var moderator = PostgresClusterFixture.AsRole(dataSource, "safeguard_moderator");
        await using var connection = await moderator.OpenConnectionAsync(ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "insert into safeguard.feedback (event_id, verdict) values (@eventId, 'correct')", new { eventId = Guid.NewGuid() }, cancellationToken: ct)));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task RestrictedReader_ReadsRestrictedRationalesButWritesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var reader = PostgresClusterFixture.AsRole(dataSource, "safeguard_restricted_reader");
        await using var connection = await reader.OpenConnectionAsync(ct);

        var rationale = await connection.QuerySingleAsync<string>(new CommandDefinition(
            "select rationale from safeguard.classifications where policy_id = 'private-information'", cancellationToken: ct));
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "delete from safeguard.classifications", cancellationToken: ct)));

        Assert.Equal("because private-information", rationale);
        Assert.Equal(InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Writer_CannotReadFeedbackOrDropPartitions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await SeededAsync(ct);
        await using var writer = PostgresClusterFixture.AsRole(dataSource, "safeguard_writer");
        await using var connection = await writer.OpenConnectionAsync(ct);

        var read = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "select * from safeguard.feedback", cancellationToken: ct)));
        var prune = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "select safeguard.drop_classifications_partitions_before(now())", cancellationToken: ct)));

        Assert.Equal(InsufficientPrivilege, read.SqlState);
        Assert.Equal(InsufficientPrivilege, prune.SqlState);
    }
}
