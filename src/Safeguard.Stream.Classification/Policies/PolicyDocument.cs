using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Safeguard.Stream.Classification.Policies;

/// <summary>A problem found in a policy file; errors stop the worker and fail lint, warnings are reported.</summary>
public sealed record PolicyProblem(string File, string Message, bool IsError)
{
    public override string ToString() => $"{File}: {(IsError ? "error" : "warning")}: {Message}";
}

/// <summary>
/// Reads a policy file: YAML front matter between <c>---</c> lines, then the Markdown body that becomes the system prompt.
/// Front matter keys: id, version, title, applies_to {wikis, languages, namespaces}, reasoning_effort, threshold,
/// categories, visibility, mode, tag, judges, gate.
/// </summary>
public static partial class PolicyDocument
{
    private static readonly string[] s_knownKeys =
        ["id", "version", "title", "applies_to", "reasoning_effort", "threshold", "categories", "visibility", "mode", "tag", "judges", "gate"];

    public static (Policy? Policy, IReadOnlyList<PolicyProblem> Problems) Parse(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<PolicyProblem>();
        void Error(string message) => problems.Add(new PolicyProblem(file, message, true));

        var match = FrontMatter().Match(text.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!match.Success)
        {
            Error("missing YAML front matter (a block between '---' lines at the top)");
            return (null, problems);
        }

        var body = match.Groups["body"].Value.Trim() + "\n";
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(match.Groups["yaml"].Value));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                Error("front matter must be a YAML mapping");
                return (null, problems);
            }

            root = mapping;
        }
        catch (YamlException ex)
        {
            Error($"front matter is not valid YAML (line {ex.Start.Line}): {ex.Message}");
            return (null, problems);
        }

        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!s_knownKeys.Contains(key.Value))
            {
                Error($"unknown front matter key '{key.Value}'");
            }
        }

        var id = Scalar(root, "id");
        if (string.IsNullOrWhiteSpace(id) || !IdPattern().IsMatch(id))
        {
            Error("'id' is required: lowercase letters, digits and '-'");
        }

        var versionText = Scalar(root, "version");
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            Error("'version' is required: a positive integer");
        }

        var title = Scalar(root, "title");
        if (string.IsNullOrWhiteSpace(title))
        {
            Error("'title' is required");
        }

        var effortText = Scalar(root, "reasoning_effort");
        if (!ReasoningEffortNames.TryParse(effortText ?? ReasoningEffortNames.Default.ToName(), out var effort))
        {
            Error($"'reasoning_effort' must be one of {string.Join("|", ReasoningEffortNames.All)}, was '{effortText}'");
        }

        var visibility = ParseEnum(Scalar(root, "visibility") ?? "public", "visibility", PolicyVisibility.Public, Error);
        var mode = ParseEnum(Scalar(root, "mode") ?? "enforce", "mode", PolicyMode.Enforce, Error);

        var threshold = 0.5;
        if (Scalar(root, "threshold") is { } thresholdText &&
            (!double.TryParse(thresholdText, NumberStyles.Float, CultureInfo.InvariantCulture, out threshold) || threshold is < 0 or > 1))
        {
            Error("'threshold' must be a number between 0 and 1");
        }

        var judges = PolicyJudges.AddedAndRemoved;
        switch (Scalar(root, "judges"))
        {
            case null or "added_and_removed":
                break;
            case "added":
                judges = PolicyJudges.Added;
                break;
            case var other:
                Error($"'judges' must be added or added_and_removed, was '{other}'");
                break;
        }

        RevertRiskGate? gate = null;
        if (root.Children.TryGetValue(new YamlScalarNode("gate"), out var gateNode) &&
            !RevertRiskGate.TryParse(gateNode is YamlScalarNode gateScalar ? gateScalar.Value : null, out gate, out var gateError))
        {
            Error(gateError!);
        }

        var tag = Scalar(root, "tag");
        if (tag is not null && !ChangeTagPattern().IsMatch(tag))
        {
            Error($"'tag' must be a change tag name (letters, digits, '-', '_', '.', at most 64 characters), was '{tag}'");
        }

        if (tag is not null && visibility == PolicyVisibility.Restricted)
        {
            Error("'tag' is not allowed on a restricted policy: a public change tag would point at what oversight hides");
        }

        var scope = PolicyScope.Everywhere;
        if (root.Children.TryGetValue(new YamlScalarNode("applies_to"), out var appliesNode))
        {
            if (appliesNode is not YamlMappingNode applies)
            {
                Error("'applies_to' must be a mapping with wikis, languages, namespaces");
            }
            else
            {
                var namespaces = new List<int>();
                foreach (var ns in Sequence(applies, "namespaces"))
                {
                    if (int.TryParse(ns, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= 0)
                    {
                        namespaces.Add(n);
                    }
                    else
                    {
                        Error($"applies_to.namespaces: '{ns}' is not a namespace number");
                    }
                }

                foreach (var key in applies.Children.Keys.OfType<YamlScalarNode>())
                {
                    if (key.Value is not ("wikis" or "languages" or "namespaces"))
                    {
                        Error($"unknown applies_to key '{key.Value}'");
                    }
                }

                foreach (var wiki in Sequence(applies, "wikis").Where(w => !WikiIdPattern().IsMatch(w)))
                {
                    Error($"applies_to.wikis: '{wiki}' is not a wiki id (e.g. enwiki, dewiktionary)");
                }

                foreach (var language in Sequence(applies, "languages").Where(l => !LanguagePattern().IsMatch(l)))
                {
                    Error($"applies_to.languages: '{language}' is not a language code (e.g. de, pt-br)");
                }

                foreach (var key in new[] { "wikis", "languages", "namespaces" })
                {
                    if (applies.Children.TryGetValue(new YamlScalarNode(key), out var list) && list is not YamlSequenceNode &&
                        !(list is YamlScalarNode { Value: null or "" }))
                    {
                        Error($"applies_to.{key} must be a list, e.g. {key}: []");
                    }
                }

                scope = new PolicyScope([.. Sequence(applies, "wikis")], [.. Sequence(applies, "languages")], namespaces);
            }
        }

        if (problems.Any(p => p.IsError))
        {
            return (null, problems);
        }

        var policy = new Policy
        {
            Id = id!,
            Version = version,
            Title = title!,
            AppliesTo = scope,
            ReasoningEffort = effort,
            Threshold = threshold,
            Categories = [.. Sequence(root, "categories")],
            Visibility = visibility,
            Mode = mode,
            Tag = tag,
            Judges = judges,
            Gate = gate,
            Body = body,
            SourcePath = file,
        };
        return (policy, problems);
    }

    private static T ParseEnum<T>(string text, string key, T fallback, Action<string> error)
        where T : struct, Enum
    {
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _))
        {
            return value;
        }

        error($"'{key}' must be one of {string.Join("|", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, was '{text}'");
        return fallback;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static IEnumerable<string> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty)
            : [];

    [GeneratedRegex(@"\A---\n(?<yaml>.*?)\n---\n(?<body>.*)\z", RegexOptions.Singleline)]
    private static partial Regex FrontMatter();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]*\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\A[a-z0-9_]+\z")]
    private static partial Regex WikiIdPattern();

    /// <summary>A change tag name MediaWiki accepts (no ',', '|', '/') kept to a readable, URL-safe subset.</summary>
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z")]
    private static partial Regex ChangeTagPattern();

    [GeneratedRegex(@"\A[a-z]{2,3}(-[a-z0-9]+)*\z")]
    private static partial Regex LanguagePattern();
}
