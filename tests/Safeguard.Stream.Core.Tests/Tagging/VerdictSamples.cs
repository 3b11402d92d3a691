using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

/// <summary>Verdict events built from the schema's own example (schemas/…/safeguard_classification_change/1.1.0.json), changed field by field.</summary>
internal static class VerdictSamples
{
    public static readonly Policy Spam = new() { Id = "spam", Version = 3, Title = "Spam and promotion", Body = "b" };
    public static readonly Policy Blp = new() { Id = "blp", Version = 1, Title = "Biographies of living persons", Body = "b", Tag = "safeguard-biography" };
    public static readonly Policy Private = new() { Id = "private-information", Version = 1, Title = "Private information", Body = "b", Visibility = PolicyVisibility.Restricted };
    public static readonly IReadOnlyList<Policy> Policies = [Spam, Blp, Private];

    public static TaggerOptions Options(Action<TaggerOptions>? change = null)
    {
        var options = new TaggerOptions { ReviewUrl = "https://review.example.org/safeguard", Wikis = ["enwiki"] };
        change?.Invoke(options);
        return options;
    }

    /// <summary>The schema's example event (spam, flagged, enforce, public, enwiki), with <paramref name="change"/> applied.</summary>
    public static byte[] Event(Action<JsonObject>? change = null)
    {
        var schema = JsonNode.Parse(TestData.Read("schemas/safeguard_classification_change-1.1.0.json"))!;
        var example = schema["examples"]![0]!.DeepClone().AsObject();
        change?.Invoke(example);
        return System.Text.Encoding.UTF8.GetBytes(example.ToJsonString());
    }

    public static PublishedVerdict Verdict(Action<JsonObject>? change = null) =>
        PublishedVerdict.TryRead(Event(change), out var verdict, out var error) ? verdict! : throw new InvalidOperationException(error);

    public static JsonObject Safeguard(this JsonObject e) => e["safeguard"]!.AsObject();
}
