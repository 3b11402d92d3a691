using System.Globalization;
using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// Edits for load and crash tests, in the Fakes' one synthetic shape (<see cref="SyntheticPageChange"/>): all in
/// scope (enwiki's main namespace, ordinary users), each with its <c>action=compare</c> fixture. Every fourth adds a
/// link with promotional wording, so the simulator flags some. Revision times step an hour apart, so 2,000 edits span
/// three monthly partitions.
/// </summary>
internal sealed class GeneratedEdits
{
    private static readonly DateTimeOffset s_firstRevision = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);

    private GeneratedEdits(long firstRevId, int count)
    {
        FirstRevId = firstRevId;
        Count = count;
    }

    public long FirstRevId { get; }
    public int Count { get; }

    public IEnumerable<long> RevIds => Enumerable.Range(0, Count).Select(i => FirstRevId + i);

    /// <summary>The Kafka meta.id (and Postgres event_id) each edit's verdict under <paramref name="policyId"/> must have.</summary>
    public IReadOnlySet<string> ExpectedEventIds(string policyId, int policyVersion) =>
        RevIds.Select(rev => EventIdentity.ForVerdict("enwiki", rev, policyId, policyVersion).ToString()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Writes the events file and returns the edits; <paramref name="addFixture"/> receives one fixture line per edit.</summary>
    public static GeneratedEdits Write(string eventsFile, long firstRevId, int count, Action<string> addFixture)
    {
        ArgumentNullException.ThrowIfNull(addFixture);
        var edits = new GeneratedEdits(firstRevId, count);
        using var writer = new StreamWriter(eventsFile);
        var i = 0;
        foreach (var rev in edits.RevIds)
        {
            var pageId = 70_000_000 + i;
            var title = "Generated_page_" + i.ToString(CultureInfo.InvariantCulture);
            var time = s_firstRevision.AddHours(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var performer = SyntheticPageChange.Performer("Editor" + (i % 37).ToString(CultureInfo.InvariantCulture), 1000 + (i % 37), isBot: false, 12, new JsonArray("*", "user"));
            writer.WriteLine(SyntheticPageChange.Event(rev, time, "en.wikipedia.org", title, title, pageId, 0, performer, "update", 2000 + i));

            var added = i % 4 == 0
                ? $"Best prices guaranteed, call now and buy at https://cheap-deals-{i}.example.com/shop today!"
                : $"The building was renovated in {1900 + (i % 120)} and reopened the next year.";
            addFixture(SyntheticPageChange.CompareFixture(rev, pageId, SyntheticPageChange.AddedRow(added)));
            i++;
        }

        return edits;
    }
}
