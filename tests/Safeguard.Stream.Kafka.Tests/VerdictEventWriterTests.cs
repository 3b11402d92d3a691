using System.Text.Json;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Kafka.Tests;

public sealed class VerdictEventWriterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static EditEvent Edit(long? pageId = 42) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.3.0",
        Stream = "mediawiki.page_change.v1",
        Domain = "en.wikipedia.org",
        WikiId = "enwiki",
        RevId = 1001,
        ParentRevId = 1000,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageId = pageId,
        PageTitle = "Example_page",
        Namespace = 0,
        EventTime = s_now.AddSeconds(-5),
        RevisionTime = s_now.AddSeconds(-6),
        RequestId = "req-1",
        Performer = new Performer("Someone", false, false, ["user"], 12),
    };

    private static PolicyVerdict Verdict(PolicyVisibility visibility = PolicyVisibility.Public, PolicyMode mode = PolicyMode.Enforce) => new()
    {
        PolicyId = "spam",
        PolicyVersion = 3,
        Status = VerdictStatus.Ok,
        Violation = true,
        Probability = 0.9,
        Category = "SP1",
        Rationale = "adds a casino link",
        Flagged = true,
        Mode = mode,
        Visibility = visibility,
        ReasoningEffort = ReasoningEffort.Low,
        Model = "openai/gpt-oss-safeguard-20b",
        PromptTokens = 700,
        CompletionTokens = 90,
        CachedTokens = 600,
        LatencyMs = 812,
        ClassifiedAt = s_now,
    };

    /// <summary>Writes the event and checks it against the materialized schema before anything else looks at it.</summary>
    private static JsonElement Write(PolicyVerdict verdict, EditEvent? edit = null)
    {
        var bytes = VerdictEventWriter.Write(edit ?? Edit(), verdict, "topic.v1", "/mediawiki/page/safeguard_classification_change/1.0.0", s_now);
        Assert.Empty(EventSchema.Errors(bytes));
        return JsonDocument.Parse(bytes).RootElement;
    }

    [Fact]
    public void Write_PublicVerdict_HasEventPlatformShapeAndRationale()
    {
        var json = Write(Verdict());

        Assert.Equal("/mediawiki/page/safeguard_classification_change/1.0.0", json.GetProperty("$schema").GetString());
        var meta = json.GetProperty("meta");
        Assert.Equal("topic.v1", meta.GetProperty("stream").GetString());
        Assert.Equal(EventIdentity.ForVerdict("enwiki", 1001, "spam", 3).ToString(), meta.GetProperty("id").GetString());
        Assert.Equal("2026-11-20T12:00:00.000Z", meta.GetProperty("dt").GetString());
        Assert.Equal("req-1", meta.GetProperty("request_id").GetString());
        Assert.Equal("enwiki", json.GetProperty("wiki_id").GetString());
        Assert.Equal(42, json.GetProperty("page").GetProperty("page_id").GetInt64());
        Assert.Equal(1000, json.GetProperty("revision").GetProperty("rev_parent_id").GetInt64());
        Assert.Equal("2026-11-20T11:59:55.000Z", json.GetProperty("dt").GetString());
        Assert.Equal("2026-11-20T11:59:54.000Z", json.GetProperty("revision").GetProperty("rev_dt").GetString());
        Assert.Equal(["user"], json.GetProperty("performer").GetProperty("groups").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("safeguard-spam", json.GetProperty("predicted_classification").GetProperty("model_name").GetString());
        Assert.Equal("3", json.GetProperty("predicted_classification").GetProperty("model_version").GetString());
        Assert.Equal(["true"], json.GetProperty("predicted_classification").GetProperty("predictions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0.9, json.GetProperty("predicted_classification").GetProperty("probabilities").GetProperty("true").GetDouble(), 6);
        var safeguard = json.GetProperty("safeguard");
        Assert.True(safeguard.GetProperty("flagged").GetBoolean());
        Assert.Equal("adds a casino link", safeguard.GetProperty("rationale").GetString());
        Assert.Equal(600, safeguard.GetProperty("usage").GetProperty("cached_tokens").GetInt32());
        Assert.Equal("openai/gpt-oss-safeguard-20b", safeguard.GetProperty("model").GetString());
    }

    [Fact]
    public void Write_ModelReasoning_IsNeverPublished()
    {
        var json = Write(Verdict() with { Reasoning = "secret analysis channel" });

        Assert.DoesNotContain("secret analysis channel", json.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RecentChangeEditWithoutPageIdOrPerformer_IsStillValid()
    {
        var edit = Edit(pageId: null) with { Performer = null, RevisionTime = null, ParentRevId = null, RequestId = null };

        var json = Write(Verdict(), edit);

        Assert.False(json.GetProperty("page").TryGetProperty("page_id", out _));
        Assert.False(json.TryGetProperty("performer", out _));
        Assert.Equal("2026-11-20T11:59:55.000Z", json.GetProperty("revision").GetProperty("rev_dt").GetString());
    }

    [Theory]
    [InlineData(1.0000001)]
    [InlineData(-0.2)]
    [InlineData(double.NaN)]
    public void Write_ProbabilityOutOfRange_IsClampedOrLeftOut(double probability)
    {
        var safeguard = Write(Verdict() with { Probability = probability }).GetProperty("safeguard");

        if (safeguard.TryGetProperty("probability", out var written))
        {
            Assert.InRange(written.GetDouble(), 0, 1);
        }
        else
        {
            Assert.True(double.IsNaN(probability));
        }
    }

    [Theory]
    [InlineData("restricted_with_rationale")]
    [InlineData("shadow_with_flagged")]
    [InlineData("unknown_field")]
    [InlineData("bad_date")]
    [InlineData("probability_above_one")]
    public void EventSchema_EventThatBreaksTheContract_IsReported(string breakage)
    {
        // The validator itself must be able to fail, on each rule the writer relies on.
        var bytes = VerdictEventWriter.Write(Edit(), Verdict(), "topic.v1", "/mediawiki/page/safeguard_classification_change/1.0.0", s_now);
        var node = System.Text.Json.Nodes.JsonNode.Parse(bytes)!;
        var safeguard = node["safeguard"]!;
        switch (breakage)
        {
            case "restricted_with_rationale":
                safeguard["visibility"] = "restricted";
                break;
            case "shadow_with_flagged":
                safeguard["mode"] = "shadow";
                break;
            case "unknown_field":
                node["page"]!["unexpected"] = 1;
                break;
            case "bad_date":
                node["revision"]!["rev_dt"] = "yesterday";
                break;
            case "probability_above_one":
                safeguard["probability"] = 1.5;
                break;
        }

        var errors = EventSchema.Errors(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()));

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Write_RestrictedVerdict_NeverCarriesTheRationale()
    {
        var json = Write(Verdict(PolicyVisibility.Restricted));

        Assert.False(json.GetProperty("safeguard").TryGetProperty("rationale", out _));
        Assert.Equal("restricted", json.GetProperty("safeguard").GetProperty("visibility").GetString());
        Assert.DoesNotContain("casino", json.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ShadowVerdict_SaysWouldFlag()
    {
        var safeguard = Write(Verdict(mode: PolicyMode.Shadow)).GetProperty("safeguard");

        Assert.True(safeguard.GetProperty("would_flag").GetBoolean());
        Assert.False(safeguard.TryGetProperty("flagged", out _));
    }

    [Fact]
    public void Write_ErrorVerdict_HasStatusAndNoPrediction()
    {
        var verdict = Verdict() with { Status = VerdictStatus.Error, Error = "unparsable_verdict", Violation = null, Probability = null, Flagged = false };

        var json = Write(verdict);

        Assert.Equal("error", json.GetProperty("safeguard").GetProperty("status").GetString());
        Assert.Equal("unparsable_verdict", json.GetProperty("safeguard").GetProperty("error").GetString());
        Assert.Equal(0, json.GetProperty("predicted_classification").GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public void Key_IsWikiAndPage()
    {
        Assert.Equal("""{"wiki_id":"enwiki","page_id":42}""", System.Text.Encoding.UTF8.GetString(VerdictEventWriter.Key(Edit())));
        Assert.Equal("""{"wiki_id":"enwiki","page_id":null}""", System.Text.Encoding.UTF8.GetString(VerdictEventWriter.Key(Edit(pageId: null))));
    }

    [Fact]
    public void WriteRedaction_AVerdictOfARevisionTheWikiHid_ReplacesItWithoutRationaleOrPerformerAndValidatesAs110()
    {
        var verdict = Verdict() with { Rationale = "quotes the hidden text", Reasoning = "more of it" };
        var redacted = new RedactedVerdict(Edit(), verdict, "text_hidden", s_now.AddHours(1));

        var bytes = VerdictEventWriter.WriteRedaction(redacted, "topic.v1", "/mediawiki/page/safeguard_classification_change/1.1.0", s_now.AddHours(1));
        var json = JsonDocument.Parse(bytes).RootElement;

        Assert.Empty(EventSchema.Errors(bytes, "1.1.0"));
        Assert.NotEmpty(EventSchema.Errors(bytes)); // 1.0.0 knows no status 'redacted': hence the version
        Assert.Equal(EventIdentity.ForVerdict("enwiki", 1001, "spam", 3).ToString(), json.GetProperty("meta").GetProperty("id").GetString());
        var safeguard = json.GetProperty("safeguard");
        Assert.Equal("redacted", safeguard.GetProperty("status").GetString());
        Assert.Equal("text_hidden", safeguard.GetProperty("redaction").GetProperty("reason").GetString());
        Assert.False(safeguard.TryGetProperty("rationale", out _));
        Assert.False(json.TryGetProperty("performer", out _));
        Assert.DoesNotContain("hidden text", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.True(safeguard.GetProperty("flagged").GetBoolean() == verdict.Flagged);
    }

    [Fact]
    public void Write_WithRevertRisk_CarriesItUnderSafeguardValidAgainst120Only()
    {
        var bytes = VerdictEventWriter.Write(
            Edit(), Verdict(), "topic.v1", "/mediawiki/page/safeguard_classification_change/1.2.0", s_now,
            new RevertRiskScore(0.17687281966209412, "revertrisk-language-agnostic", "3"));

        Assert.Empty(EventSchema.Errors(bytes, "1.2.0"));
        Assert.NotEmpty(EventSchema.Errors(bytes)); // 1.0.0 knows no revert_risk: hence the version
        var risk = JsonDocument.Parse(bytes).RootElement.GetProperty("safeguard").GetProperty("revert_risk");
        Assert.Equal(0.176873, risk.GetProperty("probability").GetDouble());
        Assert.Equal("revertrisk-language-agnostic", risk.GetProperty("model_name").GetString());
        Assert.Equal("3", risk.GetProperty("model_version").GetString());
    }

    [Fact]
    public void Write_WithoutRevertRisk_HasNoRevertRiskField()
    {
        var json = Write(Verdict());

        Assert.False(json.GetProperty("safeguard").TryGetProperty("revert_risk", out _));
    }
}
