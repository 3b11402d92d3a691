using Microsoft.Extensions.Logging.Abstractions;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Core.Tests.Redaction;

public sealed class RevisionRedactorTests
{
    private sealed class Journal
    {
        public List<string> Steps { get; } = [];
    }

    private sealed class FakeStore(Journal journal, int pending) : IRedactionStore
    {
        public Task<IReadOnlyList<RedactedVerdict>> FindUnredactedAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken)
        {
            journal.Steps.Add("find");
            return Task.FromResult<IReadOnlyList<RedactedVerdict>>([.. Enumerable.Range(0, pending).Select(_ => Verdict(request, redactedAt))]);
        }

        public Task<int> RedactAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken)
        {
            journal.Steps.Add("redact");
            return Task.FromResult(pending);
        }
    }

    private sealed class FakePublisher(Journal journal, bool fail) : IRedactionPublisher
    {
        public Task PublishAsync(IReadOnlyList<RedactedVerdict> verdicts, CancellationToken cancellationToken)
        {
            journal.Steps.Add($"publish {verdicts.Count}");
            return fail ? throw new InvalidOperationException("broker down") : Task.CompletedTask;
        }
    }

    private static RedactedVerdict Verdict(RedactionRequest request, DateTimeOffset at) => new(
        new EditEvent
        {
            SchemaUri = "s",
            Stream = "s",
            Domain = "en.wikipedia.org",
            WikiId = request.WikiId,
            RevId = request.RevId,
            Kind = EditKind.Edit,
            SourceKind = "audit",
            PageTitle = "T",
            Namespace = 0,
            EventTime = at,
        },
        new PolicyVerdict
        {
            PolicyId = "spam",
            PolicyVersion = 1,
            Status = VerdictStatus.Ok,
            Mode = PolicyMode.Enforce,
            Visibility = PolicyVisibility.Public,
            ReasoningEffort = ReasoningEffort.Low,
            Model = "m",
            LatencyMs = 1,
            ClassifiedAt = at,
        },
        request.Reason,
        at);

    private static RevisionRedactor CreateSut(Journal journal, int pending, bool failPublish = false, bool withStore = true) => new(
        withStore ? [new FakeStore(journal, pending)] : [],
        [new FakePublisher(journal, failPublish)],
        TimeProvider.System,
        NullLogger<RevisionRedactor>.Instance);

    private static readonly RedactionRequest s_request = new("enwiki", 5, RedactionReason.TextHidden, RedactionTrigger.RecentChange);

    [Fact]
    public async Task RedactAsync_VerdictsToRedact_PublishesBeforeItRedactsTheRows()
    {
        var journal = new Journal();

        var rows = await CreateSut(journal, pending: 2).RedactAsync(s_request, TestContext.Current.CancellationToken);

        Assert.Equal(2, rows);
        Assert.Equal(["find", "publish 2", "redact"], journal.Steps);
    }

    [Fact]
    public async Task RedactAsync_PublishFails_LeavesTheRowsForTheNextTry()
    {
        var journal = new Journal();

        await Assert.ThrowsAsync<InvalidOperationException>(() => CreateSut(journal, pending: 1, failPublish: true).RedactAsync(s_request, TestContext.Current.CancellationToken));

        Assert.Equal(["find", "publish 1"], journal.Steps);
    }

    [Fact]
    public async Task RedactAsync_NothingClassified_StillRedactsDeadLettersAndPublishesNothing()
    {
        var journal = new Journal();

        var rows = await CreateSut(journal, pending: 0).RedactAsync(s_request, TestContext.Current.CancellationToken);

        Assert.Equal(0, rows);
        Assert.Equal(["find", "redact"], journal.Steps);
    }

    [Fact]
    public async Task RedactAsync_NoStore_DoesNothing()
    {
        var journal = new Journal();

        var rows = await CreateSut(journal, pending: 3, withStore: false).RedactAsync(s_request, TestContext.Current.CancellationToken);

        Assert.Equal(0, rows);
        Assert.Empty(journal.Steps);
    }
}
