using System.Text.Json;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>
/// One <c>safeguard eval</c> over the whole shipped ClueBot NG set (315 records) against the vLLM simulator on loopback
/// (5 ms per completion), shared by the eval and report tests.
/// </summary>
public sealed class EvalRunFixture : IAsyncLifetime
{
    public const string Collection = "eval";

    public VllmSimulator Simulator { get; private set; } = null!;
    public string Output { get; } = Directory.CreateTempSubdirectory("eval-run").FullName;
    public int ExitCode { get; private set; }
    public string Stdout { get; private set; } = "";
    public string Stderr { get; private set; } = "";

    /// <summary>The request bodies the simulator received during the shared run (later tests reuse the simulator).</summary>
    public IReadOnlyList<string> RunRequests { get; private set; } = [];

    public static string ClueBotSet => LocalServicesFixture.DataPath("eval", "cluebotng_enwiki_dev.jsonl");

    public Dictionary<string, string> Environment(Uri? endpoint = null) => new()
    {
        ["Safeguard__Llm__Endpoint"] = (endpoint ?? Simulator.BaseUrl).ToString(),
        ["Safeguard__Policies__Directory"] = LocalServicesFixture.PoliciesPath,
        ["Safeguard__Llm__RetryBaseDelay"] = "00:00:00.010",
    };

    public async ValueTask InitializeAsync()
    {
        Simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.FromMilliseconds(5), CaptureRequests = true, EnablePromptTokensDetails = true });
        (ExitCode, Stdout, Stderr) = await EvalProcess.SafeguardAsync(
            ["eval", "--dataset", ClueBotSet, "--policy", "vandalism", "--out", Output, "--concurrency", "8"], Environment(), CancellationToken.None);
        RunRequests = Simulator.CapturedRequests;
    }

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        Directory.Delete(Output, recursive: true);
    }

    public JsonElement Metrics() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "metrics.json"))).RootElement;
}

[CollectionDefinition(EvalRunFixture.Collection)]
public sealed class EvalRunGroup : ICollectionFixture<EvalRunFixture>;
