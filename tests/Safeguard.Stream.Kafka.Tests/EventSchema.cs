using System.Text.Json.Nodes;
using Json.Schema;

namespace Safeguard.Stream.Kafka.Tests;

/// <summary>The materialized output event schemas (schemas/…/safeguard_classification_change/1.x.0.json), formats enforced.</summary>
internal static class EventSchema
{
    // Wikimedia's schemas name draft-07 by its https URL; the validator knows the meta-schema by its http $id (AJV in
    // jsonschema-tools aliases the two the same way).
    private static readonly Dictionary<string, Lazy<JsonSchema>> s_schemas = new[] { "1.0.0", "1.1.0", "1.2.0" }
        .ToDictionary(v => v, v => new Lazy<JsonSchema>(() => Load(v)));

    private static JsonSchema Load(string version) => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", $"safeguard_classification_change.{version}.json"))
            .Replace("https://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal));

    /// <summary>Every violation, as "instance location: message"; empty when the event is valid.</summary>
    public static IReadOnlyList<string> Errors(byte[] utf8Json, string version = "1.0.0")
    {
        var schema = s_schemas[version].Value;
        var results = schema.Evaluate(JsonNode.Parse(utf8Json), new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
            EvaluateAs = SpecVersion.Draft7,
        });
        if (results.IsValid)
        {
            return [];
        }

        return [.. results.Details.Append(results)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid (no detail)")];
    }
}
