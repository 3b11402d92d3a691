using Safeguard.Stream.MediaWiki.Tagging;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard tags create --wiki DOMAIN [--dry-run]</c>: defines, activates and describes each public policy's change
/// tag on one wiki, as the account of <c>Safeguard:Tagging</c> (it needs <c>managechangetags</c> and
/// <c>editinterface</c>: an administrator's own login, since no BotPassword grant carries them). Without those rights
/// it prints the steps for a wiki administrator and exits 1.
/// </summary>
internal static class TagsCommand
{
    public static Command Create()
    {
        var wiki = new Option<string>("--wiki") { Description = "The wiki's domain, e.g. en.wikipedia.org (must be in Safeguard:MediaWiki:AllowedDomains).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read the wiki's tags and print what would be done; change nothing." };
        var create = new Command("create", "Create and activate each public policy's change tag on a wiki, with its description.") { wiki, dryRun };
        create.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = SafeguardHost.CreateCommandBuilder();
            builder.AddSafeguardClassification();
            builder.AddSafeguardWikiTagging();
            using var host = builder.Build();

            var policies = host.Services.GetRequiredService<PolicyCatalog>().Policies;
            var report = await host.Services.GetRequiredService<WikiTagAdmin>().EnsureTagsAsync(parse.GetValue(wiki)!, policies, parse.GetValue(dryRun), ct);
            if (report.Error is { } error)
            {
                throw new CommandFailedException($"tags create on {report.Domain}: {error}");
            }

            foreach (var step in report.Steps)
            {
                Console.WriteLine($"{step.Tag.Name,-28} {step.Action,-15} policy={step.Tag.PolicyId}  {step.Detail}");
            }

            if (report.ManualSteps is { } manual)
            {
                await (report.DryRun ? Console.Out : Console.Error).WriteLineAsync(manual);
            }

            Console.WriteLine($"tags create{(report.DryRun ? " --dry-run" : "")}: wiki={report.Domain} account={report.Account} tags={report.Steps.Count} " +
                $"created={report.Steps.Count(s => s.Action == TagSetupAction.Created)} activated={report.Steps.Count(s => s.Action == TagSetupAction.Activated)} " +
                $"failed={report.Steps.Count(s => s.Action == TagSetupAction.Failed)} manual={(report.ManualSteps is null ? "no" : "yes")}");
            return report.DryRun || report.Succeeded ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
        }));

        return new Command("tags", "Manage the policies' change tags on a wiki.") { create };
    }
}
