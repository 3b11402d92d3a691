using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// Reads the verdict topics from the beginning while the worker runs and notes when each verdict (by <c>meta.id</c>)
/// first arrives, with its revision. The arrival is what a consumer sees, so it is at or after the producer's
/// acknowledgement: with <c>fetch.wait.max.ms=5</c> on loopback it adds a few milliseconds at most, and end-to-end
/// latencies measured with it are an upper bound of event time → Kafka ack.
/// </summary>
internal sealed class VerdictTap : IDisposable
{
    private readonly IConsumer<Ignore, string> _consumer;
    private readonly Dictionary<string, (long RevId, long Timestamp)> _first = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> _lastPerRev = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _messages;

    public VerdictTap(string bootstrapServers, IEnumerable<(string Topic, int Partitions)> topics)
    {
        _consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-tap-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        _consumer.Assign(topics.SelectMany(t => Enumerable.Range(0, t.Partitions)
            .Select(p => new TopicPartitionOffset(t.Topic, p, Offset.Beginning))));
        _thread = new Thread(Run) { IsBackground = true, Name = "verdict-tap" };
        _thread.Start();
    }

    /// <summary>Distinct verdicts seen.</summary>
    public int Distinct
    {
        get
        {
            lock (_gate)
            {
                return _first.Count;
            }
        }
    }

    /// <summary>Messages seen, duplicates included.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>
    /// Revisions seen, and when their last verdict arrived, in order. The worker publishes all verdicts of an edit in
    /// one batch, so an edit counts as done when its first verdict arrives; the last one is a few milliseconds later.
    /// </summary>
    public List<(long RevId, long Timestamp)> CompletedEdits()
    {
        lock (_gate)
        {
            return [.. _lastPerRev.Select(kv => (kv.Key, kv.Value)).OrderBy(x => x.Item2)];
        }
    }

    /// <summary>Each distinct verdict's revision and first arrival (Stopwatch timestamp).</summary>
    public List<(long RevId, long Timestamp)> Arrivals()
    {
        lock (_gate)
        {
            return [.. _first.Values];
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<Ignore, string>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
            }
            catch (ConsumeException)
            {
                continue;
            }

            if (result?.Message?.Value is not { } value)
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _messages);
            using var doc = JsonDocument.Parse(value);
            var id = doc.RootElement.GetProperty("meta").GetProperty("id").GetString()!;
            var rev = FindRevId(doc.RootElement) ?? -1;
            lock (_gate)
            {
                if (_first.TryAdd(id, (rev, now)))
                {
                    _lastPerRev[rev] = now;
                }
            }
        }
    }

    private static long? FindRevId(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("rev_id") && property.Value.ValueKind == JsonValueKind.Number)
            {
                return property.Value.GetInt64();
            }
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && FindRevId(property.Value) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
