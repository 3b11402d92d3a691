using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

/// <summary>The results channel completes when the last registered writer ends: the count is taken, not kept by hand.</summary>
public sealed class PipelineChannelsTests
{
    private static PipelineChannels CreateSut() => new(Options.Create(new PipelineOptions()));

    [Fact]
    public void Results_CompleteOnlyWhenEveryRegisteredWriterHasEnded()
    {
        var sut = CreateSut();
        var writers = Enumerable.Range(0, 4).Select(_ => sut.AddResultWriter()).ToList();

        foreach (var writer in writers[..3])
        {
            writer.Complete();
            writer.Complete(); // a second call of the same writer does not count for another
        }

        Assert.False(sut.Results.Reader.Completion.IsCompleted);
        writers[3].Complete();
        Assert.True(sut.Results.Reader.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Results_OneWriterFails_TheChannelFailsAtOnceWithItsError()
    {
        var sut = CreateSut();
        var failing = sut.AddResultWriter();
        _ = sut.AddResultWriter();

        failing.Complete(new InvalidOperationException("stage broke"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sut.Results.Reader.Completion);
        Assert.Equal("stage broke", error.Message);
    }
}
