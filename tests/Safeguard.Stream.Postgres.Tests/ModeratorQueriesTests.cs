using Npgsql;
using Safeguard.Stream.Core.Policies;
using static Safeguard.Stream.Postgres.Tests.TestResults;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>The moderators' queries, run as <c>safeguard_moderator</c> on a real cluster, as the CLI and the review app run them.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class ModeratorQueriesTests(PostgresClusterFixture postgres)
{
    private async Task<(NpgsqlDataSource Owner, NpgsqlDataSource Moderator)> CreateSutAsync(CancellationToken ct)
    {
        var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        await Sink(dataSource).WriteAsync(
        [
            Classified(1, Edit(500, Now.AddHours(-2)), Verdict("spam"), Verdict("private-information", PolicyVisibility.Restricted)),
            Classified(2, Edit(501, Now.AddHours(-1)), Verdict("spam"), Verdict("vandalism", mode: PolicyMode.Shadow)),
        ], ct);
        return (dataSource, PostgresClusterFixture.AsRole(dataSource, "safeguard_moderator"));
    }

    [Fact]
    public async Task FlaggedEditsAsync_EnforcedFlags_NewestEditFirstNoRestrictedVerdict()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator) = await CreateSutAsync(ct);
        await using var _ = owner;
        await using var __ = moderator;

        var rows = await new ModeratorQueries(moderator).FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 100), ct);

        Assert.Equal(
            [(501L, "spam", (string?)"because spam"), (500L, "spam", "because spam")],
            rows.Select(r => (r.RevId, r.PolicyId, r.Rationale)));
        Assert.Equal("https://en.wikipedia.org/w/index.php?diff=501", rows[0].DiffUrl);
    }

    [Fact]
    public async Task FlaggedEditsAsync_Filters_NarrowByPolicyWikiWindowAndLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator) = await CreateSutAsync(ct);
        await using var _ = owner;
        await using var __ = moderator;
        var queries = new ModeratorQueries(moderator);

        Assert.Equal(2, (await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 100, Policy: "spam"), ct)).Count);
        Assert.Empty(await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 100, Wiki: "dewiki"), ct));
        Assert.Empty(await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 100, MinProbability: 0.99), ct));
        Assert.Empty(await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddMinutes(1), 100), ct));
        Assert.Single(await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 1), ct));
    }

    [Fact]
    public async Task RecordFeedbackAsync_KnownId_StoresItAsTheModerator_UnknownIdIsNull()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator) = await CreateSutAsync(ct);
        await using var _ = owner;
        await using var __ = moderator;
        var queries = new ModeratorQueries(moderator);
        var flagged = (await queries.FlaggedEditsAsync(new FlaggedEditQuery(Now.AddDays(-1), 1), ct))[0];

        var stored = await queries.RecordFeedbackAsync(flagged.Id, "incorrect", "a cited source", ct);
        var unknown = await queries.RecordFeedbackAsync(Guid.Empty, "correct", null, ct);

        Assert.Equal(("enwiki", 501L, "spam", 1), (stored!.WikiId, stored.RevId, stored.PolicyId, stored.PolicyVersion));
        Assert.Equal("safeguard_moderator", stored.Moderator);
        Assert.Null(unknown);
    }
}
