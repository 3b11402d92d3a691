namespace Safeguard.Stream.Classification.Policies;

public sealed class PoliciesOptions
{
    public const string SectionName = "Safeguard:Policies";

    /// <summary>Folder of policy Markdown files. Relative paths resolve against the working directory, then the app folder.</summary>
    [Required]
    public string Directory { get; set; } = "policies";

    /// <summary>Ids of the policies to run; empty runs every policy in the folder.</summary>
    public IList<string> Enabled { get; } = [];
}

[OptionsValidator]
internal sealed partial class PoliciesOptionsValidator : IValidateOptions<PoliciesOptions>
{
}

/// <summary>Loads the policy folder once at start; any error stops the worker with the file and problem named.</summary>
public sealed class PolicyCatalog : IPolicyCatalog
{
    public PolicyCatalog(IOptions<PoliciesOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = ResolveDirectory(options.Value.Directory);
        var (policies, problems) = LoadDirectory(directory);
        var errors = problems.Where(p => p.IsError).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(PoliciesOptions.SectionName, typeof(PoliciesOptions), errors.Select(e => e.ToString()));
        }

        var enabled = options.Value.Enabled;
        if (enabled.Count > 0)
        {
            var unknown = enabled.Where(id => policies.All(p => p.Id != id)).ToList();
            if (unknown.Count > 0)
            {
                throw new OptionsValidationException(PoliciesOptions.SectionName, typeof(PoliciesOptions),
                    [$"Safeguard:Policies:Enabled names unknown policies: {string.Join(", ", unknown)} (folder {directory})"]);
            }

            policies = [.. policies.Where(p => enabled.Contains(p.Id))];
        }

        Policies = policies;
        Directory = directory;
    }

    public IReadOnlyList<Policy> Policies { get; }

    public string Directory { get; }

    public static string ResolveDirectory(string directory)
    {
        if (Path.IsPathRooted(directory) || System.IO.Directory.Exists(directory))
        {
            return Path.GetFullPath(directory);
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, directory);
        return System.IO.Directory.Exists(besideApp) ? besideApp : Path.GetFullPath(directory);
    }

    public static (List<Policy> Policies, List<PolicyProblem> Problems) LoadDirectory(string directory)
    {
        var policies = new List<Policy>();
        var problems = new List<PolicyProblem>();
        if (!System.IO.Directory.Exists(directory))
        {
            problems.Add(new PolicyProblem(directory, "policy folder does not exist", true));
            return (policies, problems);
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.md").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var (policy, fileProblems) = PolicyDocument.Parse(file, File.ReadAllText(file));
            problems.AddRange(fileProblems);
            if (policy is null)
            {
                continue;
            }

            if (policies.FirstOrDefault(p => p.Id == policy.Id) is { } first)
            {
                problems.Add(new PolicyProblem(file, $"duplicate policy id '{policy.Id}' (also in {Path.GetFileName(first.SourcePath)})", true));
                continue;
            }

            policies.Add(policy);
        }

        if (policies.Count == 0 && problems.Count == 0)
        {
            problems.Add(new PolicyProblem(directory, "no policy files (*.md) found", true));
        }

        return (policies, problems);
    }
}
