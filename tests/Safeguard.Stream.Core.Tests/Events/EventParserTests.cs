using System.Text.Json;
using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Events;

namespace Safeguard.Stream.Core.Tests.Events;

public sealed class EventParserTests
{
    [Fact]
    public void Parse_RecordedPageChangeEdit_ReadsEveryField()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json"));

        var edit = Assert.IsType<EditEvent>(result.Event);
        Assert.Equal("enwiki", edit.WikiId);
        Assert.Equal("en.wikipedia.org", edit.Domain);
        Assert.Equal(1319367938, edit.RevId);
        Assert.Equal(1319295223, edit.ParentRevId);
        Assert.Equal(70793851, edit.PageId);
        Assert.Equal("Anees_(musician)", edit.PageTitle);
        Assert.Equal(0, edit.Namespace);
        Assert.Equal(EditKind.Edit, edit.Kind);
        Assert.Equal("link", edit.Comment);
        Assert.Equal("Rap no Davinci", edit.Performer!.UserText);
        Assert.Equal(837, edit.Performer.EditCount);
        Assert.Contains("extendedconfirmed", edit.Performer.Groups);
        Assert.False(edit.Performer.IsBot);
        Assert.Equal(15321, edit.NewSize);
        Assert.Equal(15299, edit.OldSize);
        Assert.Equal("en", edit.Language);
        Assert.Equal(new DateTimeOffset(2025, 10, 29, 11, 5, 0, TimeSpan.Zero), edit.EventTime);
    }

    [Fact]
    public void Parse_RecordedPageChangeVisibilityChange_SaysWhatBecameHidden()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json"));

        var visibility = Assert.IsType<EditEvent>(result.Event).VisibilityChange!;
        Assert.Equal([686140L], visibility.RevIds);
        Assert.False(visibility.TextHidden);
        Assert.True(visibility.UserOrSummaryHidden); // is_comment_visible: false
        Assert.True(visibility.Hides);
    }

    [Theory]
    // Recorded from a real MediaWiki 1.39's UDP RC feed (tests/data/mediawiki-1.39-local/rc-udp-all.jsonl): line 6 hid
    // revision 3's text (nfield 1), line 7 hid revision 5's summary and user (nfield 6).
    [InlineData(5, 3L, true, false)]
    [InlineData(6, 5L, false, true)]
    public void Parse_RecordedRecentChangeLogDeleteRevision_NamesTheRevisionsAndWhatBecameHidden(int line, long revId, bool text, bool userOrSummary)
    {
        var change = JsonNode.Parse(TestData.Read("mediawiki-1.39-local/rc-udp-all.jsonl").Split('\n')[line] /* 0-based */)!.AsObject();
        // What EventStreams adds to the RC feed's object.
        change["$schema"] = "/mediawiki/recentchange/1.0.0";
        change["meta"] = new JsonObject { ["domain"] = "test.wikipedia.org", ["dt"] = "2026-12-02T00:46:44Z", ["stream"] = "mediawiki.recentchange" };

        var edit = Assert.IsType<EditEvent>(EventParser.Parse(change.ToJsonString()).Event);

        Assert.Equal(EditKind.Other, edit.Kind);
        Assert.Equal([revId], edit.VisibilityChange!.RevIds);
        Assert.Equal(text, edit.VisibilityChange.TextHidden);
        Assert.Equal(userOrSummary, edit.VisibilityChange.UserOrSummaryHidden);
    }

    [Fact]
    public void Parse_RecentChangeLogDeleteRevisionThatOnlyReveals_AsksForNothing()
    {
        const string json = """{"$schema":"/mediawiki/recentchange/1.0.0","meta":{"domain":"en.wikipedia.org","dt":"2026-12-02T00:00:00Z"},"type":"log","namespace":0,"title":"T","wiki":"enwiki","timestamp":1,"log_type":"delete","log_action":"revision","log_params":{"type":"revision","ids":["12"],"ofield":1,"nfield":0}}""";

        var visibility = Assert.IsType<EditEvent>(EventParser.Parse(json).Event).VisibilityChange!;

        Assert.Equal([12L], visibility.RevIds);
        Assert.False(visibility.Hides);
    }

    [Fact]
    public void Parse_RecordedPageChangeCreate_HasNoParent()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/page_change.item-create.testwikidatawiki.schema-1.2.0.json"));

        var edit = Assert.IsType<EditEvent>(result.Event);
        Assert.Equal(EditKind.Create, edit.Kind);
        Assert.Null(edit.ParentRevId);
        Assert.Null(edit.Language);
    }

    [Fact]
    public void Parse_RecordedVisibilityChange_IsOtherKind()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json"));

        Assert.Equal(EditKind.Other, result.Event!.Kind);
        Assert.Equal("visibility_change", result.Event.SourceKind);
    }

    [Fact]
    public void Parse_RecordedRecentChange_ReadsRevisionAndUser()
    {
        // The recording wraps the payload with the SSE id; the parser sees only the data.
        var wrapped = JsonNode.Parse(TestData.Read("wikimedia/events/recentchange.edit.enwiki.2021-09-15.anon-ipv6.json"))!;
        var result = EventParser.Parse(wrapped["sse_data"]!.ToJsonString());

        var edit = Assert.IsType<EditEvent>(result.Event);
        Assert.Equal("enwiki", edit.WikiId);
        Assert.Equal(1044480964, edit.RevId);
        Assert.Equal(1043848398, edit.ParentRevId);
        Assert.Null(edit.PageId);
        Assert.Equal("Bernie Ecclestone", edit.PageTitle);
        Assert.Equal("2A02:C7F:2CA7:F700:DC87:1AF6:9C2B:4497", edit.Performer!.UserText);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1631710626), edit.EventTime);
    }

    [Fact]
    public void Parse_RecordedBotRecentChange_MarksBot()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/recentchange.edit.wikidatawiki.2022.bot.json"));

        Assert.True(result.Event!.Performer!.IsBot);
    }

    [Fact]
    public void Parse_LegacyRecentChangeWithSchemaUriInMeta_IsUnderstood()
    {
        var result = EventParser.Parse(TestData.Read("wikimedia/events/recentchange.edit.wikidatawiki.2018.undo.json"));

        Assert.True(result.IsSuccess, result.ErrorDetail);
        Assert.Equal("wikidatawiki", result.Event!.WikiId);
    }

    [Fact]
    public void Parse_CanaryFromSchemaExamples_IsCanary()
    {
        var examples = JsonNode.Parse(TestData.Read("wikimedia/schema-examples/page_change.1.2.0.examples.json"))!.AsArray();
        var canary = examples[0]!.DeepClone();
        canary["meta"]!["domain"] = "canary";

        var result = EventParser.Parse(canary.ToJsonString());

        Assert.True(result.IsCanary);
        Assert.Null(result.Event);
    }

    [Fact]
    public void Parse_TruncatedJson_IsMalformed()
    {
        var result = EventParser.Parse("{\"$schema\": \"/mediawiki/page/change/1.2.0\", \"meta\": {");

        Assert.Equal(EventParseError.MalformedJson, result.ErrorReason);
    }

    [Fact]
    public void Parse_EditWithoutRevision_NamesTheMissingField()
    {
        var node = JsonNode.Parse(TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json"))!.AsObject();
        node.Remove("revision");

        var result = EventParser.Parse(node.ToJsonString());

        Assert.Equal(EventParseError.MissingField, result.ErrorReason);
        Assert.Contains("'revision'", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RevIdOfWrongType_NamesTheField()
    {
        var node = JsonNode.Parse(TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json"))!;
        node["revision"]!["rev_id"] = "not a number";

        var result = EventParser.Parse(node.ToJsonString());

        Assert.Equal(EventParseError.InvalidField, result.ErrorReason);
        Assert.Contains("revision.rev_id", result.ErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/mediawiki/page/change/2.0.0")]
    [InlineData("/mediawiki/revision/create/2.0.0")]
    public void Parse_UnknownSchema_IsUnsupported(string schema)
    {
        var node = JsonNode.Parse(TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json"))!;
        node["$schema"] = schema;

        var result = EventParser.Parse(node.ToJsonString());

        Assert.Equal(EventParseError.UnsupportedSchema, result.ErrorReason);
    }

    [Fact]
    public void Parse_NewerMinorVersionWithUnknownFields_IsTolerated()
    {
        var node = JsonNode.Parse(TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json"))!;
        node["$schema"] = "/mediawiki/page/change/1.9.0";
        node["brand_new_field"] = new JsonObject { ["x"] = 1 };

        var result = EventParser.Parse(node.ToJsonString());

        Assert.True(result.IsSuccess);
    }

    [Fact]
    public void Parse_JsonArrayPayload_IsInvalidNotAnException()
    {
        var result = EventParser.Parse("[1,2,3]");

        Assert.Equal(EventParseError.InvalidField, result.ErrorReason);
    }

    [Fact]
    public void Parse_EveryPageChangeSchemaExample_Succeeds()
    {
        var examples = JsonSerializer.Deserialize<JsonElement[]>(TestData.Read("wikimedia/schema-examples/page_change.1.2.0.examples.json"))!;
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var result = EventParser.Parse(example.GetRawText());
            Assert.True(result.IsSuccess || result.IsCanary, result.ErrorDetail);
        }
    }
}

public sealed class EventParserBytesTests
{
    [Fact]
    public void Parse_InvalidUtf8InsideAString_IsNamedInvalidUtf8()
    {
        // Regression: System.Text.Json only validates string bytes when they are read, so this parsed as JSON.
        byte[] payload = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];

        Assert.Equal(EventParseError.InvalidUtf8, EventParser.Parse(payload).ErrorReason);
    }
}

public sealed class EventParserRecordedFieldTests
{
    [Fact]
    public void Parse_RecordedItemEdit_FieldByField()
    {
        var edit = EventParser.Parse(TestData.Read("wikimedia/events/page_change.item-edit.testwikidatawiki.schema-1.2.0.json")).Event!;

        Assert.Equal("testwikidatawiki", edit.WikiId);
        Assert.Equal("test.wikidata.org", edit.Domain);
        Assert.Equal(EditKind.Edit, edit.Kind);
        Assert.Equal(330275, edit.PageId);
        Assert.Equal("Q235989", edit.PageTitle);
        Assert.Equal(686139, edit.RevId);
        Assert.Equal(686138, edit.ParentRevId);
        Assert.Equal("/* wbsetclaim-create:2||1 */ [[Property:P82]]: [[Q231559]]", edit.Comment);
        Assert.Equal("DCausse (WMF)", edit.Performer!.UserText);
        Assert.Equal("/mediawiki/page/change/1.2.0", edit.SchemaUri);
    }

    [Fact]
    public void Parse_RecordedBotRecentChange_FieldByField()
    {
        var edit = EventParser.Parse(TestData.Read("wikimedia/events/recentchange.edit.wikidatawiki.2022.bot.json")).Event!;

        Assert.Equal("wikidatawiki", edit.WikiId);
        Assert.Equal("www.wikidata.org", edit.Domain);
        Assert.Equal("Q2190037", edit.PageTitle);
        Assert.Equal(0, edit.Namespace);
        Assert.Equal(1676015019, edit.RevId);
        Assert.Equal(1675697125, edit.ParentRevId);
        Assert.Equal("KrBot", edit.Performer!.UserText);
        Assert.True(edit.Performer.IsBot);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1657648455), edit.EventTime);
    }

    [Fact]
    public void Parse_RecordedLegacyUndo_FieldByField()
    {
        var edit = EventParser.Parse(TestData.Read("wikimedia/events/recentchange.edit.wikidatawiki.2018.undo.json")).Event!;

        Assert.Equal("Q18720640", edit.PageTitle);
        Assert.Equal(647483346, edit.RevId);
        Assert.Equal(647477898, edit.ParentRevId);
        Assert.Equal("Pintoch", edit.Performer!.UserText);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1520726921), edit.EventTime);
    }
}
