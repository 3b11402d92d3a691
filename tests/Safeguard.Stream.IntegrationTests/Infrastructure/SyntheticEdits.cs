using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>
/// Generates many events in the real <c>mediawiki/page/change/1.3.0</c> shape, with a wiki API fixture for each
/// in-scope edit, and says which events the worker must classify. Every 20th event is on a talk page, every 25th by a
/// bot and every 50th a canary: those must be skipped. Every 7th in-scope edit adds a casino link, so the simulator
/// flags some. Rev ids start at <c>firstRevId</c>, so tests sharing one fixture server do not collide.
/// </summary>
internal sealed class SyntheticEdits
{
    private SyntheticEdits(List<string> events, List<string> fixtures, HashSet<(string Wiki, long RevId)> inScope)
    {
        Events = events;
        Fixtures = fixtures;
        InScope = inScope;
    }

    public IReadOnlyList<string> Events { get; }

    public IReadOnlyList<string> Fixtures { get; }

    public IReadOnlySet<(string Wiki, long RevId)> InScope { get; }

    public static SyntheticEdits Create(int count, long firstRevId, string? marker = null)
    {
        var start = new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
        var events = new List<string>(count);
        var fixtures = new List<string>(count);
        var inScope = new HashSet<(string, long)>();
        for (var i = 0; i < count; i++)
        {
            var revId = firstRevId + i;
            var canary = i % 50 == 2;
            var talk = i % 20 == 0;
            var bot = i % 25 == 1;
            var dt = start.AddMilliseconds(i * 250).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var title = "Synthetic_page_" + (i % 97).ToString(CultureInfo.InvariantCulture);
            var groups = bot ? new JsonArray("bot", "*", "user") : new JsonArray("*", "user", "autoconfirmed");
            var performer = SyntheticPageChange.Performer(
                bot ? "SyntheticBot" : "Editor" + (i % 13).ToString(CultureInfo.InvariantCulture), 1000 + (i % 13), bot, 10 + i % 100, groups);
            events.Add(SyntheticPageChange.Event(revId, dt, canary ? "canary" : "en.wikipedia.org", talk ? "Talk:" + title : title, title,
                10_000 + (i % 97), talk ? 1 : 0, performer,
                "synthetic edit " + i.ToString(CultureInfo.InvariantCulture) + (marker is null ? "" : " " + marker), 2000 + i % 300));
            if (canary || talk || bot)
            {
                continue;
            }

            inScope.Add(("enwiki", revId));
            var added = i % 7 == 0
                ? "Play now at https://lucky-casino.example.com for the best bonus!"
                : "The station opened in " + (1900 + i % 120).ToString(CultureInfo.InvariantCulture) + " and serves the line.";
            if (marker is not null)
            {
                added += " " + marker;
            }

            fixtures.Add(SyntheticPageChange.CompareFixture(revId, 10_000 + (i % 97), SyntheticPageChange.AddedRow(added)));
        }

        return new SyntheticEdits(events, fixtures, inScope);
    }

    public async Task<string> WriteEventsAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("synthetic").FullName, "events.jsonl");
        await File.WriteAllLinesAsync(path, Events, cancellationToken);
        return path;
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
