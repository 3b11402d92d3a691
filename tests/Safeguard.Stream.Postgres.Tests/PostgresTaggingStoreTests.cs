using Dapper;
using Npgsql;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>The tagger's valves and held verdicts on a real PostgreSQL 15, as the worker's role.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresTaggingStoreTests(PostgresClusterFixture postgres)
{
    private static readonly ValveTrip s_trip = new("enwiki", "spam", 0.5, 0.0, 40, "flagged share 50.0 % of the last 40 verdicts exceeds Safeguard:Tagging:MaxFlagRate (5.0 %)");

    private static HeldTag Held(long revId, string heldFor = TagSkipReason.ValveOpen) =>
        new("enwiki", "en.wikipedia.org", revId, "spam", 2, "safeguard-spam", heldFor, heldFor == TagSkipReason.ValveOpen ? null : "badtags");

    private async Task<(NpgsqlDataSource Owner, PostgresTaggingStore Sut)> CreateSutAsync(CancellationToken cancellationToken)
    {
        var owner = await postgres.CreateMigratedDatabaseAsync(cancellationToken);
        // The tagger connects as the worker (safeguard_writer): the grants of 0006 must be enough.
        return (owner, new PostgresTaggingStore(PostgresClusterFixture.AsRole(owner, "safeguard_writer")));
    }

    [Fact]
    public async Task OpenValveAsync_FirstTrip_OpensAndIsStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;

        Assert.True(await sut.OpenValveAsync(s_trip, ct));

        Assert.True(await sut.IsValveOpenAsync("enwiki", "spam", ct));
        Assert.False(await sut.IsValveOpenAsync("enwiki", "blp", ct));
        var valve = Assert.Single(await sut.ListValvesAsync(ct));
        Assert.True(valve.Open);
        Assert.Equal(s_trip.Reason, valve.Reason);
        Assert.NotNull(valve.OpenedAt);
    }

    [Fact]
    public async Task OpenValveAsync_ConcurrentReplicas_ExactlyOneOpensIt_AndTheFirstReasonStays()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;

        var opened = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => sut.OpenValveAsync(s_trip with { Sample = 40 + i, Reason = "replica " + i }, ct)));

        Assert.Equal(1, opened.Count(o => o));
        var valve = Assert.Single(await sut.ListValvesAsync(ct));
        Assert.Equal("replica " + Array.IndexOf(opened, true), valve.Reason);
    }

    [Fact]
    public async Task ResetValveAsync_OnlyClosesAnOpenValve_AndAReopeningIsANewOpening()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        Assert.False(await sut.ResetValveAsync("enwiki", "spam", "ops@host", ct)); // never opened
        await sut.OpenValveAsync(s_trip, ct);

        Assert.True(await sut.ResetValveAsync("enwiki", "spam", "ops@host", ct));
        Assert.False(await sut.ResetValveAsync("enwiki", "spam", "ops@host", ct)); // closed already

        var closed = Assert.Single(await sut.ListValvesAsync(ct));
        Assert.False(closed.Open);
        Assert.Equal("ops@host", closed.ResetBy);
        Assert.NotNull(closed.ResetAt);
        Assert.False(await sut.IsValveOpenAsync("enwiki", "spam", ct));
        Assert.True(await sut.OpenValveAsync(s_trip with { Reason = "again" }, ct));
        Assert.Equal("again", Assert.Single(await sut.ListValvesAsync(ct)).Reason);
    }

    [Fact]
    public async Task OpenValve_SurvivesANewConnectionPool_AsARestartWould()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        await sut.OpenValveAsync(s_trip, ct);

        await using var restarted = NpgsqlDataSource.Create(owner.ConnectionString);
        var again = new PostgresTaggingStore(restarted);

        Assert.True(await again.IsValveOpenAsync("enwiki", "spam", ct));
        Assert.False(await again.OpenValveAsync(s_trip, ct));
    }

    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<WindowCounts> FeedAsync(
        PostgresTaggingStore sut, int count, Func<int, bool> flagged, CancellationToken ct, long firstRev = 1, TimeSpan? every = null, int size = 200, TimeSpan? duration = null)
    {
        WindowCounts counts = default;
        for (var i = 0; i < count; i++)
        {
            var at = s_start + (every ?? TimeSpan.FromSeconds(1)) * (firstRev + i);
            counts = await sut.RecordInWindowAsync(new ValveVerdict("enwiki", "spam", firstRev + i, flagged(i), Error: i % 10 == 9, at), size, duration ?? TimeSpan.FromHours(1), ct);
        }

        return counts;
    }

    [Fact]
    public async Task RecordInWindowAsync_CountsFlagsAndErrors_AndKeepsAtMostTheWindowSize()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;

        Assert.Equal(new WindowCounts(20, 10, 2), await FeedAsync(sut, 20, i => i % 2 == 0, ct));

        // 30 clean verdicts more, counted in a window of 25: revisions 26 to 50 stay (clean; errors at 30, 40 and 50).
        var counts = await FeedAsync(sut, 30, _ => false, ct, firstRev: 21, size: 25);

        Assert.Equal(new WindowCounts(25, 0, 3), counts);
        await using var connection = await owner.OpenConnectionAsync(ct);
        Assert.Equal(25L, await connection.ExecuteScalarAsync<long>("select count(*) from safeguard.tag_window"));
    }

    [Fact]
    public async Task RecordInWindowAsync_VerdictsOlderThanTheDuration_NoLongerCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        Assert.Equal(3, (await FeedAsync(sut, 3, _ => true, ct, duration: TimeSpan.FromMinutes(10))).Flagged);

        // Two hours later, one clean verdict: the three flags fell out by age.
        var later = await sut.RecordInWindowAsync(new ValveVerdict("enwiki", "spam", 99, false, false, s_start + TimeSpan.FromHours(2)), 200, TimeSpan.FromMinutes(10), ct);

        Assert.Equal(new WindowCounts(1, 0, 0), later);
    }

    [Fact]
    public async Task RecordInWindowAsync_AVerdictReadAgain_CountsOnce_AndPairsAreApart()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        var verdict = new ValveVerdict("enwiki", "spam", 7, true, false, s_start);

        await sut.RecordInWindowAsync(verdict, 200, TimeSpan.FromHours(1), ct);
        var again = await sut.RecordInWindowAsync(verdict with { At = s_start.AddSeconds(5) }, 200, TimeSpan.FromHours(1), ct);
        var otherPolicy = await sut.RecordInWindowAsync(verdict with { PolicyId = "blp", Flagged = false }, 200, TimeSpan.FromHours(1), ct);

        Assert.Equal(new WindowCounts(1, 1, 0), again);
        Assert.Equal(new WindowCounts(1, 0, 0), otherPolicy);
    }

    [Fact]
    public async Task RecordInWindowAsync_TwoReplicas_ShareOneWindow_AndAResetEmptiesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        await using var secondPool = PostgresClusterFixture.AsRole(owner, "safeguard_writer");
        var replica = new PostgresTaggingStore(secondPool);

        // Two taggers, one pair: each sees half of the verdicts, the window holds all of them.
        await Task.WhenAll(FeedAsync(sut, 10, _ => true, ct), FeedAsync(replica, 10, _ => false, ct, firstRev: 11));
        var both = await replica.RecordInWindowAsync(new ValveVerdict("enwiki", "spam", 21, false, false, s_start.AddSeconds(21)), 200, TimeSpan.FromHours(1), ct);
        Assert.Equal((21, 10), (both.Sample, both.Flagged));

        await sut.OpenValveAsync(s_trip, ct);
        Assert.True(await replica.ResetValveAsync("enwiki", "spam", "ops@host", ct));

        var fresh = await sut.RecordInWindowAsync(new ValveVerdict("enwiki", "spam", 22, false, false, s_start.AddSeconds(22)), 200, TimeSpan.FromHours(1), ct);
        Assert.Equal(new WindowCounts(1, 0, 0), fresh);
    }

    [Fact]
    public async Task HoldAsync_OncePerVerdict_ListedByKind_CountedOnTheValve_AndReleased()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;
        await sut.OpenValveAsync(s_trip, ct);

        await sut.HoldAsync(Held(1), ct);
        await sut.HoldAsync(Held(1), ct); // a restart re-reading the verdict
        await sut.HoldAsync(Held(2), ct);
        await sut.HoldAsync(Held(3, TagSkipReason.TagUndefined), ct);

        Assert.Equal(2, Assert.Single(await sut.ListValvesAsync(ct)).Held);
        var undefined = Assert.Single(await sut.ListHeldAsync(TagSkipReason.TagUndefined, 10, ct));
        Assert.Equal(Held(3, TagSkipReason.TagUndefined), undefined);
        Assert.Equal([1L, 2L], (await sut.ListHeldAsync(TagSkipReason.ValveOpen, 10, ct)).Select(h => h.RevId));

        await sut.ReleaseAsync(undefined, ct);

        Assert.Empty(await sut.ListHeldAsync(TagSkipReason.TagUndefined, 10, ct));
        await using var connection = await owner.OpenConnectionAsync(ct);
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("select count(*) from safeguard.tag_pending"));
    }

    [Fact]
    public async Task TagPending_RefusesAnUnknownHeldReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, sut) = await CreateSutAsync(ct);
        await using var _ = owner;

        var error = await Assert.ThrowsAsync<PostgresException>(() => sut.HoldAsync(Held(1, "because"), ct));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task ModeratorRole_CannotReadTheTaggersTables()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, _) = await CreateSutAsync(ct);
        await using var __ = owner;
        await using var moderator = PostgresClusterFixture.AsRole(owner, "safeguard_moderator");
        await using var connection = await moderator.OpenConnectionAsync(ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteScalarAsync<long>("select count(*) from safeguard.tag_valves"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }
}
