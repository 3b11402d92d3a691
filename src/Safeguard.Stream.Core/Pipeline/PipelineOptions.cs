namespace Safeguard.Stream.Core.Pipeline;

/// <summary>Channel capacities and batch sizes: the memory bound of the pipeline.</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Safeguard:Pipeline";

    [Range(1, 100_000)]
    public int RawCapacity { get; set; } = 1_000;

    [Range(1, 100_000)]
    public int RoutedCapacity { get; set; } = 256;

    [Range(1, 100_000)]
    public int EnrichedCapacity { get; set; } = 256;

    [Range(1, 100_000)]
    public int ResultCapacity { get; set; } = 1_000;

    /// <summary>Most results written to the sinks in one batch.</summary>
    [Range(1, 10_000)]
    public int PublishBatchSize { get; set; } = 200;

    /// <summary>Longest a partial batch waits for more results before it is written.</summary>
    public TimeSpan PublishBatchDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

[OptionsValidator]
internal sealed partial class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
}
