using System.Text.Json;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Evaluation;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.LoadTest;

/// <summary>
/// One <c>safeguard loadtest</c> against the vLLM simulator's continuous-batching capacity model, configured with
/// <c>max-num-seqs</c> = <see cref="MaxNumSeqs"/>, shared by the load test classes. The model is made fast (6 ms per
/// decode step, no slowdown with the batch, so a classification takes ~1 s alone and throughput grows linearly up
/// to the limit and not at all beyond) and each step lasts 3 s, so the run takes about 40 s; a request's second of
/// service dwarfs what a loaded 2-core machine adds to each cycle, which keeps the knee where the limit is.
/// </summary>
public sealed class LoadTestRunFixture : IAsyncLifetime
{
    public const string Collection = "loadtest";
    public const int MaxNumSeqs = 8;
    public const double TargetEditsPerSecond = 10;

    private readonly ContinuousBatchingModel _capacity = new(new ContinuousBatchingOptions
    {
        MaxNumSeqs = MaxNumSeqs,
        DecodeStepTime = TimeSpan.FromMilliseconds(6),
        DecodeSlowdownPerSequence = 0,
    });

    public VllmSimulator Simulator { get; private set; } = null!;
    public string Output { get; } = Directory.CreateTempSubdirectory("loadtest-run").FullName;
    public int ExitCode { get; private set; }
    public string Stdout { get; private set; } = "";
    public string Stderr { get; private set; } = "";

    /// <summary>The request bodies the simulator received during the shared run.</summary>
    public IReadOnlyList<string> RunRequests { get; private set; } = [];

    public static IReadOnlyList<string> Arguments(Uri endpoint, string output, params string[] more) =>
    [
        "loadtest", "--endpoint", endpoint.ToString(), "--policies", LocalServicesFixture.PoliciesPath, "--max-concurrency", "64",
        "--duration-per-step", "3", "--sizes", "64x16,128x32", "--edits-per-second", "10", "--out", output, .. more,
    ];

    public async ValueTask InitializeAsync()
    {
        Simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions
        {
            CaptureRequests = true,
            EnablePromptTokensDetails = true,
            LatencyModel = _capacity,
        });
        (ExitCode, Stdout, Stderr) = await EvalProcess.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "safeguard.dll"), .. Arguments(Simulator.BaseUrl, Output)], null, TimeSpan.FromMinutes(5), CancellationToken.None);
        RunRequests = Simulator.CapturedRequests;
    }

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await _capacity.DisposeAsync();
        Directory.Delete(Output, recursive: true);
    }

    public JsonElement Results() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "results.json"))).RootElement;
}

[CollectionDefinition(LoadTestRunFixture.Collection)]
public sealed class LoadTestRunGroup : ICollectionFixture<LoadTestRunFixture>;
