using System.Text;
using System.Text.Json;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Kafka.Tests;

public sealed class DeadLetterEventWriterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static DeadLetteredResult Dead(byte[] payload, EditEvent? edit = null) =>
        new(new SourceEvent(7, "file:events.jsonl", "41", payload), edit, "malformed_json", "line 41: unexpected end");

    [Fact]
    public void Write_BadLine_CarriesReasonAndOriginalPayload()
    {
        var json = JsonDocument.Parse(DeadLetterEventWriter.Write(Dead("{\"oops\": "u8.ToArray()), "dlq.v1", 1024, s_now)).RootElement;

        Assert.Equal("dlq.v1", json.GetProperty("meta").GetProperty("stream").GetString());
        Assert.Equal("malformed_json", json.GetProperty("reason").GetString());
        Assert.Equal("line 41: unexpected end", json.GetProperty("detail").GetString());
        Assert.Equal("at:41", json.GetProperty("item_key").GetString());
        Assert.Equal("{\"oops\": ", json.GetProperty("original_event").GetString());
        Assert.False(json.GetProperty("original_event_truncated").GetBoolean());
    }

    [Fact]
    public void Write_LargePayload_IsCutAtTheCapAndSaysSo()
    {
        var payload = Encoding.UTF8.GetBytes(new string('x', 5000));

        var json = JsonDocument.Parse(DeadLetterEventWriter.Write(Dead(payload), "dlq.v1", 100, s_now)).RootElement;

        Assert.Equal(100, json.GetProperty("original_event").GetString()!.Length);
        Assert.Equal(5000, json.GetProperty("original_event_bytes").GetInt32());
        Assert.True(json.GetProperty("original_event_truncated").GetBoolean());
    }

    [Fact]
    public void Write_InvalidUtf8_StillWritesValidJson()
    {
        var json = JsonDocument.Parse(DeadLetterEventWriter.Write(Dead([0x7B, 0xFF, 0xFE, 0x00]), "dlq.v1", 1024, s_now)).RootElement;

        Assert.StartsWith("{", json.GetProperty("original_event").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SameItemTwice_HasTheSameMetaId()
    {
        var first = JsonDocument.Parse(DeadLetterEventWriter.Write(Dead("x"u8.ToArray()), "dlq.v1", 10, s_now)).RootElement;
        var second = JsonDocument.Parse(DeadLetterEventWriter.Write(Dead("x"u8.ToArray()), "dlq.v1", 10, s_now.AddHours(1))).RootElement;

        Assert.Equal(first.GetProperty("meta").GetProperty("id").GetString(), second.GetProperty("meta").GetProperty("id").GetString());
    }
}
