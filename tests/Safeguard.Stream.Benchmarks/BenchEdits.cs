using System.Globalization;
using System.Text.Json.Nodes;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// Synthetic in-scope edits for the pipeline benchmarks: enwiki article edits by ordinary users, in the real
/// <c>mediawiki/page/change/1.3.0</c> shape, each with a <c>compare</c> fixture for the wiki API fixture server. The added
/// text is two to five sentences drawn from a fixed bank (a few with links, so some edits are flagged), which puts a
/// typical edit at ~60–150 prompt tokens after the policy. <see cref="Event"/> stamps the event time when it is emitted.
/// </summary>
internal sealed class BenchEdits
{
    private static readonly string[] Sentences =
    [
        "The station opened in 1912 and serves the regional line to the coast.",
        "Its population was 4,210 at the 2020 census, up from 3,877 a decade earlier.",
        "The bridge was rebuilt after the flood of 1953 with a wider steel deck.",
        "She studied chemistry at the University of Leeds before joining the survey.",
        "The album reached number twelve on the national chart in its second week.",
        "Play now at https://lucky-casino.example.com for the best bonus of the year!",
        "The church has a Norman tower and a fifteenth-century rood screen.",
        "Critics praised the film's photography but found the second half slow.",
        "Buy cheap followers at https://growth-hacks.example.net today, instant delivery.",
        "The river rises in the hills north of the town and joins the estuary near the port.",
        "In 1998 the club moved to a new ground on the edge of the industrial estate.",
        "The species feeds mainly on insects and nests in holes in old trees.",
    ];

    private readonly long _firstRevId;

    public BenchEdits(int count, long firstRevId)
    {
        Count = count;
        _firstRevId = firstRevId;
    }

    public int Count { get; }

    public long RevId(int index) => _firstRevId + index;

    /// <summary>The wiki API fixture line for edit <paramref name="index"/>.</summary>
    public string Fixture(int index)
    {
        var sentences = 2 + (index % 4);
        var added = string.Join(' ', Enumerable.Range(0, sentences).Select(k => Sentences[((index * 7) + (k * 5)) % Sentences.Length]));
        var removed = Sentences[(index * 3) % Sentences.Length];
        return SyntheticPageChange.CompareFixture(RevId(index), 20_000 + (index % 211), SyntheticPageChange.ChangedRow(removed, added));
    }

    /// <summary>The page_change event for edit <paramref name="index"/>, with <paramref name="time"/> as its event time.</summary>
    public string Event(int index, DateTimeOffset time)
    {
        var dt = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var title = "Bench_page_" + (index % 211).ToString(CultureInfo.InvariantCulture);
        var performer = SyntheticPageChange.Performer(
            "Editor" + (index % 17).ToString(CultureInfo.InvariantCulture), 5000 + (index % 17), false, 10 + (index % 100), new JsonArray("*", "user", "autoconfirmed"));
        return SyntheticPageChange.Event(RevId(index), dt, "en.wikipedia.org", title, title, 20_000 + (index % 211), 0, performer,
            "bench edit " + index.ToString(CultureInfo.InvariantCulture), 3000 + (index % 500));
    }
}
