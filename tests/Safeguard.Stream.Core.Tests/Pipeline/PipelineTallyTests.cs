using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class PipelineTallyTests
{
    private static PolicyVerdict Verdict(string policy, bool flagged, PolicyMode mode) => new()
    {
        PolicyId = policy,
        PolicyVersion = 1,
        Status = VerdictStatus.Ok,
        Violation = flagged,
        Flagged = flagged,
        Mode = mode,
        Visibility = PolicyVisibility.Public,
        ReasoningEffort = ReasoningEffort.Low,
        Model = "m",
        LatencyMs = 1,
        ClassifiedAt = DateTimeOffset.UnixEpoch,
    };

    private static ClassifiedResult Classified(params PolicyVerdict[] verdicts)
    {
        var edit = new EditEvent
        {
            SchemaUri = "s",
            Stream = "s",
            Domain = "en.wikipedia.org",
            WikiId = "enwiki",
            RevId = 1,
            Kind = EditKind.Edit,
            SourceKind = "edit",
            PageTitle = "P",
            Namespace = 0,
            EventTime = DateTimeOffset.UnixEpoch,
        };
        return new ClassifiedResult(new SourceEvent(1, "test", "1", ReadOnlyMemory<byte>.Empty), edit, verdicts);
    }

    [Fact]
    public void Record_ShadowModeFlag_CountsAsWouldFlagNotFlagged()
    {
        // The replay summary counted shadow-mode would-be flags as flagged, unlike the metrics and the moderators' view.
        var tally = new PipelineTally();

        tally.Record(Classified(Verdict("spam", true, PolicyMode.Enforce), Verdict("vandalism", true, PolicyMode.Shadow), Verdict("pii", false, PolicyMode.Enforce)));

        Assert.Equal((3L, 1L, 1L), (tally.Verdicts, tally.Flagged, tally.WouldFlag));
    }
}
