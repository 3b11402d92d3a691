using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// Validates output events against the materialized schema
/// (<c>schemas/jsonschema/mediawiki/page/safeguard_classification_change/1.0.0.json</c>, copied beside the tests),
/// with <c>format</c> enforced.
/// </summary>
internal static class EventSchemaValidator
{
    public const string SchemaUri = "/mediawiki/page/safeguard_classification_change/1.0.0";

    // Wikimedia's schemas name draft-07 by its https URL; the validator knows the meta-schema by its http $id (AJV in
    // jsonschema-tools aliases the two the same way).
    // Redaction events (status: redacted) are of 1.1.0, events with a revert risk of 1.2.0; each event is checked
    // against the version its $schema names.
    private static readonly Dictionary<string, Lazy<JsonSchema>> s_schemas = new[] { "1.0.0", "1.1.0", "1.2.0" }
        .ToDictionary(v => "/mediawiki/page/safeguard_classification_change/" + v, v => new Lazy<JsonSchema>(() => Load(v)));

    private static JsonSchema Load(string version) => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", $"safeguard_classification_change.{version}.json"))
            .Replace("https://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal));

    /// <summary>Every violation as "location: keyword: message"; empty when the event is valid.</summary>
    public static IReadOnlyList<string> Errors(string json)
    {
        var node = JsonNode.Parse(json);
        var schema = (s_schemas.GetValueOrDefault((string?)node?["$schema"] ?? SchemaUri) ?? s_schemas[SchemaUri]).Value;
        var results = schema.Evaluate(node, new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
            EvaluateAs = SpecVersion.Draft7,
        });
        return results.IsValid
            ? []
            : [.. results.Details.Append(results)
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
                .DefaultIfEmpty("invalid (no detail)")];
    }

    /// <summary>Fails with the first invalid events and why, naming how many of how many were invalid.</summary>
    public static void AssertAllValid(IEnumerable<string> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var all = events.ToList();
        var invalid = all.Select(e => (Event: e, Errors: Errors(e))).Where(r => r.Errors.Count > 0).ToList();
        Assert.True(invalid.Count == 0,
            $"{invalid.Count} of {all.Count} events do not validate against {SchemaUri}:\n" +
            string.Join("\n", invalid.Take(3).Select(r => string.Join("; ", r.Errors) + "\n  in " + r.Event)));
    }

    public static void AssertAllValid(IEnumerable<JsonElement> events) => AssertAllValid(events.Select(e => e.GetRawText()));
}
