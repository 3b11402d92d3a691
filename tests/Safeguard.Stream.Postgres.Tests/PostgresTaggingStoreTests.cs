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
