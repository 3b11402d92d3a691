namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// The start-to-stop shape the stages between the source and the publish stage share (routing, enrichment,
/// classification): the work runs until its input completes or the host stops; a failure is logged and rethrown, so
/// the host stops (<see cref="PipelineStages"/>); and whatever the end, the stage completes what it writes, with the
/// failure, so the next stage drains what it has and ends too.
/// </summary>
public static class StageLoop
{
    /// <summary>Runs a stage that writes only results.</summary>
    public static Task RunAsync(Func<Task> work, Action<Exception> logFailure, PipelineChannels.ResultWriter results, CancellationToken stoppingToken) =>
        RunAsync<object>(work, logFailure, results, output: null, stoppingToken);

    /// <summary>Runs a stage that writes results and hands its items on to <paramref name="output"/>.</summary>
    public static async Task RunAsync<TOut>(
        Func<Task> work, Action<Exception> logFailure, PipelineChannels.ResultWriter results, ChannelWriter<TOut>? output, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(logFailure);
        ArgumentNullException.ThrowIfNull(results);
        Exception? failure = null;
        try
        {
            await work();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
            logFailure(ex);
            throw;
        }
        finally
        {
            output?.TryComplete(failure);
            results.Complete(failure);
        }
    }

    /// <summary>Handles each item of <paramref name="reader"/> in turn until its writer completes.</summary>
    public static async Task ForEachAsync<T>(ChannelReader<T> reader, Func<T, CancellationToken, ValueTask> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(handle);
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var item))
            {
                await handle(item, cancellationToken);
            }
        }
    }
}
