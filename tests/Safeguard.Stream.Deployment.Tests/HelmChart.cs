using System.Collections.Concurrent;
using Safeguard.Stream.Fakes;
using YamlDotNet.RepresentationModel;

namespace Safeguard.Stream.Deployment.Tests;

/// <summary>
/// Runs the repository's helm (<c>.local/bin/helm</c>, installed by <c>make setup</c>) against
/// <c>helm/safeguard-stream</c> and parses what it renders.
/// </summary>
internal static class HelmChart
{
    public const string Release = "rel";
    public const string Namespace = "safeguard";
    public const string FullName = "rel-safeguard-stream";

    /// <summary>The values scenarios in helm/safeguard-stream/ci (vllm off, on as a Deployment, on with KServe, Kafka, the tagger).</summary>
    public static readonly string[] Scenarios = ["eventstreams", "kafka", "vllm", "kserve", "tagger"];

    private static readonly ConcurrentDictionary<string, Task<HelmResult>> Cache = new();

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ChartDirectory => Path.Combine(RepoRoot, "helm", "safeguard-stream");

    public static string HelmPath => Path.Combine(RepoRoot, ".local", "bin", "helm");

    public static string ScenarioFile(string scenario) => Path.Combine(ChartDirectory, "ci", $"{scenario}-values.yaml");

    /// <summary>Renders a scenario with extra <c>--set</c> arguments; fails the test with helm's message when rendering fails.</summary>
    public static async Task<Manifests> TemplateAsync(string scenario, CancellationToken cancellationToken, params string[] sets)
    {
        var result = await RenderAsync(scenario, sets, cancellationToken);
        Assert.True(result.ExitCode == 0, $"helm template ({scenario}, {string.Join(' ', sets)}) failed: {result.Stderr}");
        return Manifests.Parse(result.Stdout);
    }

    /// <summary>Renders a scenario that must be refused; returns helm's error output.</summary>
    public static async Task<string> TemplateErrorAsync(string scenario, CancellationToken cancellationToken, params string[] sets)
    {
        var result = await RenderAsync(scenario, sets, cancellationToken);
        Assert.True(result.ExitCode != 0, $"helm template ({scenario}, {string.Join(' ', sets)}) should have failed but rendered:\n{result.Stdout}");
        return result.Stderr;
    }

    public static Task<HelmResult> RenderAsync(string scenario, IReadOnlyList<string> sets, CancellationToken cancellationToken)
    {
        var key = scenario + "|" + string.Join('|', sets);
        // Several tests read the same rendering; a race may render twice, which is harmless.
        return Cache.GetOrAdd(key, _ =>
        {
            List<string> args = ["template", Release, ChartDirectory, "--namespace", Namespace, "-f", ScenarioFile(scenario)];
            foreach (var set in sets)
            {
                args.Add("--set");
                args.Add(set);
            }

            return RunAsync(args, cancellationToken);
        });
    }

    public static async Task<HelmResult> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        if (!File.Exists(HelmPath))
        {
            Assert.Fail($"helm is not installed at {HelmPath}: run `make setup` (scripts/helm.sh install) first");
        }

        // Rendering needs no cluster: keep helm away from a developer's kube config and helm repositories.
        var home = Path.Combine(Path.GetTempPath(), "safeguard-helm-tests");
        var result = await ProcessRunner.RunAsync(HelmPath, args, new ProcessRunOptions
        {
            WorkingDirectory = RepoRoot,
            Environment = new Dictionary<string, string>
            {
                ["KUBECONFIG"] = Path.Combine(home, "no-kubeconfig"),
                ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
                ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
                ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
            },
        }, TimeSpan.FromSeconds(60), cancellationToken);
        return new HelmResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Safeguard.Stream.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Safeguard.Stream.sln above {AppContext.BaseDirectory}");
    }
}

internal sealed record HelmResult(int ExitCode, string Stdout, string Stderr);

/// <summary>One rendered object.</summary>
internal sealed record Manifest(string Kind, string Name, YamlMappingNode Root)
{
    public YamlNode? this[params string[] path] => Root.At(path);
}

/// <summary>The objects of one <c>helm template</c> run.</summary>
internal sealed class Manifests(IReadOnlyList<Manifest> items)
{
    public IReadOnlyList<Manifest> Items { get; } = items;

    public static Manifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var items = stream.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .Select(root => new Manifest(root.Text("kind"), root.At("metadata", "name").Text(), root))
            .ToList();
        return new Manifests(items);
    }

    public IEnumerable<Manifest> OfKind(string kind) => Items.Where(m => m.Kind == kind);

    public Manifest Single(string kind, string name)
    {
        var matches = Items.Where(m => m.Kind == kind && m.Name == name).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind} {name}, found {matches.Count}; rendered: {string.Join(", ", Items.Select(m => $"{m.Kind}/{m.Name}"))}");
        return matches[0];
    }

    public Manifest Worker => Single("Deployment", HelmChart.FullName);

    /// <summary>The worker's settings ConfigMap as environment variable name -> value.</summary>
    public IReadOnlyDictionary<string, string> Settings =>
        Single("ConfigMap", HelmChart.FullName + "-env").Root.At("data").Mapping().ToDictionary(e => e.Key, e => e.Value.Text());
}

/// <summary>Navigation over YamlDotNet's representation model.</summary>
internal static class YamlNavigation
{
    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string Text(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlScalarNode { Value: { } value } ? value : throw new InvalidOperationException($"no scalar at {string.Join('.', path)} in {node}");

    public static string? TextOrNull(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static IEnumerable<KeyValuePair<string, YamlNode>> Mapping(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value!, c.Value))
            : [];

    public static Dictionary<string, string> StringMap(this YamlNode? node, params string[] path) =>
        node.Mapping(path).ToDictionary(e => e.Key, e => e.Value.Text());

    /// <summary>A container's env entry by name.</summary>
    public static YamlNode? Env(this YamlNode container, string name) =>
        container.Items("env").SingleOrDefault(e => e.TextOrNull("name") == name);

    /// <summary>Every container of a pod spec, init containers included.</summary>
    public static IEnumerable<YamlNode> AllContainers(this YamlNode? podSpec) =>
        podSpec.Items("initContainers").Concat(podSpec.Items("containers"));
}
