namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard policies lint</c>: front matter, required sections, output format and token counts.</summary>
internal static class PoliciesCommand
{
    public static Command Create()
    {
        var directory = new Option<DirectoryInfo?>("--dir") { Description = "Policy folder (default: Safeguard:Policies:Directory, i.e. ./policies)." };
        var lint = new Command("lint", "Check every policy file; exit 2 naming the file and problem on any error.") { directory };
        lint.SetAction((parse, _) => SafeguardCli.Guard(() =>
        {
            var folder = PolicyCatalog.ResolveDirectory(parse.GetValue(directory)?.FullName ?? "policies");
            var (results, problems) = PolicyLinter.LintDirectory(folder);
            foreach (var result in results)
            {
                Console.WriteLine($"{result.Id,-24} {result.Tokens,6} tokens  {Path.GetFileName(result.File)}");
            }

            foreach (var problem in problems)
            {
                (problem.IsError ? Console.Error : Console.Out).WriteLine(problem);
            }

            var errors = problems.Count(p => p.IsError);
            Console.WriteLine($"policies lint: {results.Count} policies, {errors} errors, {problems.Count - errors} warnings");
            return Task.FromResult(errors > 0 ? ExitCodes.BadUsage : ExitCodes.Ok);
        }));

        return new Command("policies", "Work with policy files.") { lint };
    }
}
