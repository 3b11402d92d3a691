namespace Safeguard.Stream.Core.Pipeline;

/// <summary>Runs the configured source into the raw channel; completes the channel when the source ends.</summary>
public sealed partial class SourceStage(IEventSource source, PipelineChannels channels, ILogger<SourceStage> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Exception? failure = null;
        try
        {
            await source.RunAsync(channels.Raw.Writer, stoppingToken);
            Log.SourceEnded(logger, source.Name);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
            Log.SourceFailed(logger, ex, source.Name);
            throw;
        }
        finally
        {
            channels.Raw.Writer.TryComplete(failure);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 121, EventName = "SourceEnded", Level = LogLevel.Information, Message = "Source {Source} ended")]
        public static partial void SourceEnded(ILogger logger, string source);

        [LoggerMessage(EventId = 122, EventName = "SourceFailed", Level = LogLevel.Critical, Message = "Source {Source} failed")]
        public static partial void SourceFailed(ILogger logger, Exception exception, string source);
    }
}
