using System.Text.Json;

namespace Safeguard.Stream.Core.Tests;

/// <summary>Paths to the recorded real data copied into tests/data (see tests/data/wikimedia/README.md for provenance).</summary>
internal static class TestData
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "data", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The recorded API response body: recordings from wikiloop-doublecheck wrap it as {req, res:{status,data}}.</summary>
    public static JsonElement ApiBody(string relative)
    {
        using var document = JsonDocument.Parse(Read(relative));
        var root = document.RootElement;
        return (root.TryGetProperty("res", out var res) ? res.GetProperty("data") : root).Clone();
    }
}
