using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.EventStreams.Tests;

public sealed class FileEventSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("file-source").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<List<SourceEvent>> ReadAllAsync(string path, int maxEventBytes = 1024 * 1024)
    {
        var source = new FileEventSource(Options.Create(new SourceOptions { File = path, MaxEventBytes = maxEventBytes }), TimeProvider.System);
        var channel = Channel.CreateUnbounded<SourceEvent>();
        await source.RunAsync(channel.Writer, TestContext.Current.CancellationToken);
        channel.Writer.Complete();
        return await channel.Reader.ReadAllAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_JsonLines_KeepsLineNumbersAndContiguousSequences()
    {
        var path = Path.Combine(_directory, "events.jsonl");
        await File.WriteAllTextAsync(path, "{\"a\":1}\n\n{\"b\":2}\n{broken\n", TestContext.Current.CancellationToken);

        var events = await ReadAllAsync(path);

        Assert.Equal([1L, 2, 3], events.Select(e => e.Sequence));
        Assert.Equal([1L, 3, 4], events.Select(e => e.LineNumber!.Value));
        Assert.Equal("{broken", Encoding.UTF8.GetString(events[2].Payload.Span));
        Assert.Equal("4", events[2].Position);
    }

    [Fact]
    public async Task RunAsync_OversizedLine_IsMarkedForDeadLetter()
    {
        var path = Path.Combine(_directory, "big.jsonl");
        await File.WriteAllTextAsync(path, "{\"small\":1}\n{\"big\":\"" + new string('x', 3000) + "\"}\n", TestContext.Current.CancellationToken);

        var events = await ReadAllAsync(path, maxEventBytes: 1024);

        Assert.Null(events[0].Rejection);
        Assert.Equal(EventParseError.TooLarge, events[1].Rejection!.Value.Reason);
    }

    [Fact]
    public async Task RunAsync_RecordedSseCapture_YieldsPayloadAndSseId()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "wikimedia", "sse", "recentchange.edit.enwiki.2021-09-15.sse.reconstructed.txt");

        var events = await ReadAllAsync(path);

        var single = Assert.Single(events);
        Assert.StartsWith("[{\"topic\":\"eqiad.mediawiki.recentchange\"", single.Position, StringComparison.Ordinal);
        Assert.Equal(1044480964, EventParser.Parse(single.Payload.Span).Event!.RevId);
    }

    [Fact]
    public async Task RunAsync_MissingFile_Throws()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => ReadAllAsync(Path.Combine(_directory, "nope.jsonl")));
    }
}

public sealed class FileEventSourceLineReaderTests
{
    private static async Task<List<(long Line, byte[] Bytes)>> ReadAsync(byte[] content, int maxBytes = 1024)
    {
        var lines = new List<(long, byte[])>();
        await foreach (var (line, bytes) in FileEventSource.ReadLinesAsync(new MemoryStream(content), maxBytes, TestContext.Current.CancellationToken))
        {
            lines.Add((line, bytes.ToArray()));
        }

        return lines;
    }

    [Fact]
    public async Task ReadLinesAsync_CrLfAndNoTrailingNewline_SplitsCleanly()
    {
        var lines = await ReadAsync(Encoding.UTF8.GetBytes("a\r\nbb\n\nccc"));

        Assert.Equal([1L, 2, 3, 4], lines.Select(l => l.Line));
        Assert.Equal(["a", "bb", "", "ccc"], lines.Select(l => Encoding.UTF8.GetString(l.Bytes)));
    }

    [Fact]
    public async Task ReadLinesAsync_InvalidUtf8_IsPassedThroughUntouched()
    {
        byte[] content = [(byte)'{', 0xC3, 0x28, (byte)'}', (byte)'\n'];

        var line = Assert.Single(await ReadAsync(content));

        Assert.Equal(content[..4], line.Bytes);
        Assert.Equal(EventParseError.InvalidUtf8, EventParser.Parse(line.Bytes).ErrorReason);
    }

    [Fact]
    public async Task ReadLinesAsync_HugeLine_IsCappedJustPastTheLimit()
    {
        var content = Encoding.UTF8.GetBytes(new string('x', 200_000) + "\nnext\n");

        var lines = await ReadAsync(content, maxBytes: 100);

        Assert.Equal(101, lines[0].Bytes.Length);
        Assert.Equal("next", Encoding.UTF8.GetString(lines[1].Bytes));
    }
}

public sealed class FileEventSourceResumeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("file-resume").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class FixedCheckpoint(string? position) : ICheckpointStore
    {
        public Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken) => Task.FromResult(position);

        public Task CommitAsync(IReadOnlyDictionary<string, string> positions, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }

    private static async Task<List<SourceEvent>> ReadAsync(string path, string? checkpoint, bool resume)
    {
        var source = new FileEventSource(Options.Create(new SourceOptions { File = path, ResumeFile = resume }), TimeProvider.System, new FixedCheckpoint(checkpoint));
        var channel = Channel.CreateUnbounded<SourceEvent>();
        await source.RunAsync(channel.Writer, TestContext.Current.CancellationToken);
        channel.Writer.Complete();
        return await channel.Reader.ReadAllAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_JsonLinesWithCheckpoint_ResumesAfterThatLineOnlyWhenAsked()
    {
        var path = Path.Combine(_directory, "e.jsonl");
        await File.WriteAllLinesAsync(path, ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"], TestContext.Current.CancellationToken);

        var resumed = await ReadAsync(path, "2", resume: true);
        var fresh = await ReadAsync(path, "2", resume: false);

        Assert.Equal([3L, 4], resumed.Select(e => e.LineNumber!.Value));
        Assert.Equal([1L, 2], resumed.Select(e => e.Sequence));
        Assert.Equal(4, fresh.Count);
    }

    [Fact]
    public async Task RunAsync_SseCaptureWithCheckpoint_ResumesAfterThatFrame()
    {
        var path = Path.Combine(_directory, "e.sse");
        await File.WriteAllTextAsync(path, "event: message\nid: a\ndata: {\"n\":1}\n\nevent: message\nid: b\ndata: {\"n\":2}\n\nevent: message\nid: c\ndata: {\"n\":3}\n\n",
            TestContext.Current.CancellationToken);

        var resumed = await ReadAsync(path, "b", resume: true);

        Assert.Equal(["c"], resumed.Select(e => e.Position));
    }
}
