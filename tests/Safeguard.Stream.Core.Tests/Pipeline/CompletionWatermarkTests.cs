using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class CompletionWatermarkTests
{
    private static SourceEvent Event(long sequence) => new(sequence, "s", "p" + sequence, ReadOnlyMemory<byte>.Empty);

    private static List<long> Complete(CompletionWatermark watermark, long sequence)
    {
        var released = new List<EventContext>();
        watermark.Complete(Event(sequence), released);
        return [.. released.Select(e => e.Sequence)];
    }

    [Fact]
    public void Complete_OutOfOrder_ReleasesOnlyWhenContiguousAndInOrder()
    {
        var watermark = new CompletionWatermark();

        Assert.Empty(Complete(watermark, 2));
        Assert.Empty(Complete(watermark, 3));
        Assert.Equal([1L, 2, 3], Complete(watermark, 1));
        Assert.Equal(3, watermark.CompletedThrough);
        Assert.Equal(0, watermark.PendingOutOfOrder);
    }

    [Fact]
    public void Complete_Gap_HoldsEverythingAfterIt()
    {
        var watermark = new CompletionWatermark();
        Complete(watermark, 1);
        Complete(watermark, 3);

        Assert.Equal(1, watermark.CompletedThrough);
        Assert.Equal(1, watermark.PendingOutOfOrder);
    }

    [Fact]
    public void Complete_AlreadyReleased_IsIgnored()
    {
        var watermark = new CompletionWatermark();
        Complete(watermark, 1);

        Assert.Empty(Complete(watermark, 1));
    }
}

public sealed class CheckpointStoreProgressTests
{
    private sealed class RecordingStore : ICheckpointStore
    {
        public List<IReadOnlyDictionary<string, string>> Commits { get; } = [];

        public Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task CommitAsync(IReadOnlyDictionary<string, string> positions, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken)
        {
            Commits.Add(positions);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task AdvanceAsync_SavesTheLastKnownPositionPerSource()
    {
        var store = new RecordingStore();
        var sut = new CheckpointStoreProgress(store);
        SourceEvent[] released =
        [
            new(1, "a", "a1", ReadOnlyMemory<byte>.Empty),
            new(2, "b", "b2", ReadOnlyMemory<byte>.Empty),
            new(3, "a", null, ReadOnlyMemory<byte>.Empty),
        ];

        await sut.AdvanceAsync(released, new Dictionary<(string, string), long>(), TestContext.Current.CancellationToken);

        var commit = Assert.Single(store.Commits);
        Assert.Equal("a1", commit["a"]);
        Assert.Equal("b2", commit["b"]);
    }
}
