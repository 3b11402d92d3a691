using Dapper;
using Npgsql;
using Safeguard.Stream.Core.Policies;
using static Safeguard.Stream.Postgres.Tests.TestResults;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>The review app's queries (migration 0007) over the moderator's and the restricted reader's roles.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class ModeratorQueriesReviewTests(PostgresClusterFixture postgres)
{
    private const int Quorum = 2;

    private async Task<(NpgsqlDataSource Owner, ModeratorQueries Moderator, ModeratorQueries Restricted)> CreateSutAsync(CancellationToken ct)
    {
        var owner = await postgres.CreateMigratedDatabaseAsync(ct);
        await Sink(owner).WriteAsync(
        [
            Classified(1, Edit(500, Now.AddHours(-2)), Verdict("spam"), Verdict("private-information", PolicyVisibility.Restricted)),
            Classified(2, Edit(501, Now.AddHours(-1)), Verdict("spam"), Verdict("vandalism", mode: PolicyMode.Shadow)),
        ], ct);
        return (owner, new ModeratorQueries(PostgresClusterFixture.AsRole(owner, "safeguard_moderator")),
            new ModeratorQueries(PostgresClusterFixture.AsRole(owner, "safeguard_restricted_reader")));
    }

    private static ReviewQueueQuery All(string? mode = "enforce") => new(Now.AddDays(-1), 0, 50, Mode: mode);

    [Fact]
    public async Task ReviewQueueAsync_Moderator_PublicFlagsOnlyUnjudgedFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator, _) = await CreateSutAsync(ct);
        await using var _ = owner;
        var newest = (await moderator.ReviewQueueAsync(All(), "alice", Quorum, ct))[0];
        await moderator.JudgeAsync(newest.Id, "alice", ReviewVerdicts.Correct, null, ct);

        var enforce = await moderator.ReviewQueueAsync(All(), "alice", Quorum, ct);
        var both = await moderator.ReviewQueueAsync(All(mode: null), "alice", Quorum, ct);

        Assert.Equal([(500L, "spam", false), (501L, "spam", true)], enforce.Select(r => (r.RevId, r.PolicyId, r.ReviewedByMe)));
        Assert.Equal(["spam", "spam", "vandalism"], both.Select(r => r.PolicyId).Order(StringComparer.Ordinal));
        Assert.Null(enforce[1].Label); // one review of two
    }

    [Fact]
    public async Task ReviewQueueAsync_Restricted_IncludesRestrictedPolicies()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, _, restricted) = await CreateSutAsync(ct);
        await using var _ = owner;

        var rows = await restricted.ReviewQueueAsync(All(), "olga", Quorum, ct);

        Assert.Contains(rows, r => r.PolicyId == "private-information" && r.Visibility == "restricted");
    }

    [Fact]
    public async Task JudgeAsync_OncePerReviewer_RestrictedOnlyOverTheRestrictedLogin()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator, restricted) = await CreateSutAsync(ct);
        await using var _ = owner;
        var spam = (await moderator.ReviewItemAsync("enwiki", 500, "spam", ct))!;
        var secret = (await restricted.ReviewItemAsync("enwiki", 500, "private-information", ct))!;

        Assert.Equal(JudgeOutcome.Recorded, await moderator.JudgeAsync(spam.Id, "alice", ReviewVerdicts.Incorrect, " a note ", ct));
        Assert.Equal(JudgeOutcome.AlreadyJudged, await moderator.JudgeAsync(spam.Id, "alice", ReviewVerdicts.Correct, null, ct));
        Assert.Equal(JudgeOutcome.NotFound, await moderator.JudgeAsync(secret.Id, "alice", ReviewVerdicts.Correct, null, ct));
        Assert.Equal(JudgeOutcome.Recorded, await restricted.JudgeAsync(secret.Id, "olga", ReviewVerdicts.Unsure, null, ct));
        Assert.Null(await moderator.ReviewItemAsync("enwiki", 500, "private-information", ct));
        await Assert.ThrowsAsync<ArgumentException>(() => moderator.JudgeAsync(spam.Id, "alice", "maybe", null, ct));
    }

    [Fact]
    public async Task JudgementsAsync_BlindUntilOwn_ThenLabelStandsAtQuorum()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator, _) = await CreateSutAsync(ct);
        await using var _ = owner;
        var spam = (await moderator.ReviewItemAsync("enwiki", 501, "spam", ct))!;
        await moderator.JudgeAsync(spam.Id, "bob", ReviewVerdicts.Correct, "bob's note", ct);

        var blind = await moderator.JudgementsAsync(spam.Id, "alice", ct);
        var blindLabel = await moderator.ConsensusAsync(spam.Id, "alice", Quorum, ct);
        await moderator.JudgeAsync(spam.Id, "alice", ReviewVerdicts.Correct, null, ct);
        var seen = await moderator.JudgementsAsync(spam.Id, "alice", ct);

        Assert.Empty(blind);
        Assert.Null(blindLabel);
        Assert.Equal([("correct", "bob's note", false), ("correct", (string?)null, true)], seen.Select(j => (j.Verdict, j.Note, j.Mine)));
        Assert.Equal("correct", await moderator.ConsensusAsync(spam.Id, "alice", Quorum, ct));
        Assert.Null(await moderator.ConsensusAsync(spam.Id, "alice", 3, ct));
    }

    [Theory]
    [InlineData(2, 0, 2, "correct")]
    [InlineData(0, 2, 2, "incorrect")]
    [InlineData(1, 0, 2, null)]
    [InlineData(2, 2, 2, null)]
    [InlineData(3, 2, 2, "correct")]
    [InlineData(1, 0, 1, "correct")]
    public async Task ReviewLabel_Rule(long correct, long incorrect, int quorum, string? expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var owner = await postgres.CreateMigratedDatabaseAsync(ct);
        await using var connection = await owner.OpenConnectionAsync(ct);

        var label = await connection.QuerySingleAsync<string?>(new CommandDefinition(
            "select safeguard.review_label(@correct, @incorrect, @quorum)", new { correct, incorrect, quorum }, cancellationToken: ct));

        Assert.Equal(expected, label);
    }

    [Fact]
    public async Task PolicyDashboardAsync_CountsLatencyAndStandingLabels()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, moderator, _) = await CreateSutAsync(ct);
        await using var _ = owner;
        var spam = (await moderator.ReviewItemAsync("enwiki", 501, "spam", ct))!;
        await moderator.JudgeAsync(spam.Id, "alice", ReviewVerdicts.Incorrect, null, ct);
        await moderator.JudgeAsync(spam.Id, "bob", ReviewVerdicts.Incorrect, null, ct);

        var dashboard = await moderator.PolicyDashboardAsync(Now.AddDays(-1), Quorum, null, null, ct);

        Assert.Equal([("spam", "enforce", 2, 2), ("vandalism", "shadow", 1, 1)], dashboard.Summaries.Select(s => (s.PolicyId, s.Mode, s.Verdicts, s.Flagged)));
        Assert.Equal(10, dashboard.Summaries[0].LatencyP95Ms);
        Assert.Equal([new PolicyLabels("spam", "enwiki", "enforce", 0, 1)], dashboard.Labels);
        Assert.Equal(2, dashboard.Days.Where(d => d.PolicyId == "spam").Sum(d => d.Verdicts));
    }
}
