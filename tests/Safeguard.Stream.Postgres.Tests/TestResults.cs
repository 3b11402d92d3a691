using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>Pipeline results as the classification stage hands them to the sinks.</summary>
internal static class TestResults
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static EditEvent Edit(long rev, DateTimeOffset? revisionTime = null) => new()
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
        EventTime = revisionTime ?? Now,
        RevisionTime = revisionTime,
        Performer = new Performer("Someone", false, false, [], 3),
    };

    public static PolicyVerdict Verdict(string policy, PolicyVisibility visibility = PolicyVisibility.Public, PolicyMode mode = PolicyMode.Enforce) => new()
    {
        PolicyId = policy,
        PolicyVersion = 1,
        Status = VerdictStatus.Ok,
        Violation = true,
        Probability = 0.93,
        Category = "X1",
        Rationale = "because " + policy,
        Reasoning = "the analysis of " + policy,
        Flagged = true,
        Mode = mode,
        Visibility = visibility,
        ReasoningEffort = ReasoningEffort.Low,
        Model = "m",
        LatencyMs = 10,
        ClassifiedAt = Now,
    };

    public static ClassifiedResult Classified(long sequence, EditEvent edit, params PolicyVerdict[] verdicts)
    {
        var source = new SourceEvent(sequence, "test", sequence.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes("{}"));
        return new ClassifiedResult(source, edit, verdicts);
    }

    public static ClassifiedResult Classified(long sequence, long rev, params PolicyVerdict[] verdicts) => Classified(sequence, Edit(rev), verdicts);

    public static PostgresAuditSink Sink(NpgsqlDataSource dataSource, PostgresOptions? options = null) =>
        new(dataSource, new ClassificationPartitions(dataSource), Options.Create(options ?? new PostgresOptions()));
}
