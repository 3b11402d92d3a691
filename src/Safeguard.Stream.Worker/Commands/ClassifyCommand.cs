using System.CommandLine;
using System.Globalization;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Verdicts;
using Safeguard.Stream.MediaWiki;
using Safeguard.Stream.Worker.Hosting;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard classify --policy ID (--text T | --rev WIKI:REVID)</c>: one verdict, printed, nothing stored.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var policyOption = new Option<string>("--policy") { Description = "Policy id (a file in the policy folder).", Required = true };
        var text = new Option<string?>("--text") { Description = "Text to classify, as if it were the added text of an edit." };
        var rev = new Option<string?>("--rev") { Description = "A revision whose content to fetch and classify: DOMAIN:REVID (e.g. en.wikipedia.org:1319367938)." };
        var command = new Command("classify", "Classify one text or one revision against one policy and print the verdict.") { policyOption, text, rev };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var textValue = parse.GetValue(text);
            var revValue = parse.GetValue(rev);
            if ((textValue is null) == (revValue is null))
            {
                throw new UsageException("give exactly one of --text or --rev");
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
            SafeguardHost.Configure(builder);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.AddSafeguardClassification();
            builder.AddSafeguardMediaWiki();
            using var host = builder.Build();

            var policyId = parse.GetValue(policyOption)!;
            var policy = host.Services.GetRequiredService<PolicyCatalog>().Policies.FirstOrDefault(p => p.Id == policyId)
                ?? throw new UsageException($"--policy: no policy '{policyId}' in {host.Services.GetRequiredService<PolicyCatalog>().Directory}");

            EditEvent edit;
            DiffText diff;
            if (textValue is not null)
            {
                edit = AdHocEdit("cli.example.org", 0, null);
                diff = new DiffText(textValue.Split('\n'), [], []);
            }
            else
            {
                var separator = revValue!.LastIndexOf(':');
                if (separator <= 0 || !long.TryParse(revValue[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var revId))
                {
                    throw new UsageException($"--rev: expected DOMAIN:REVID, got '{revValue}'");
                }

                edit = AdHocEdit(revValue[..separator], revId, null);
                var fetched = await host.Services.GetRequiredService<MediaWikiClient>().GetDiffAsync(edit with { Kind = EditKind.Create }, ct);
                diff = fetched.Diff ?? throw new InvalidOperationException($"no text for {revValue}: {fetched.SkipReason ?? fetched.FailureReason} {fetched.Detail}");
            }

            var source = new SourceEvent(1, "cli", null, ReadOnlyMemory<byte>.Empty);
            var verdict = await host.Services.GetRequiredService<SafeguardClassifierClient>()
                .ClassifyAsync(policy, new EnrichedEdit(new RoutedEdit(source, edit, [policy]), diff), ct);
            Console.WriteLine($"policy={verdict.PolicyId} v{verdict.PolicyVersion} status={verdict.Status.ToString().ToLowerInvariant()} " +
                              $"violation={verdict.Violation?.ToString().ToLowerInvariant() ?? "-"} probability={VerdictParser.FormatProbability(verdict.Probability)} " +
                              $"flagged={verdict.Flagged.ToString().ToLowerInvariant()} category={verdict.Category ?? "-"} " +
                              $"tokens={verdict.PromptTokens}+{verdict.CompletionTokens} latency_ms={verdict.LatencyMs}");
            Console.WriteLine($"rationale: {verdict.Rationale ?? verdict.Error ?? "-"}");
            return verdict.Status == VerdictStatus.Ok ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
        }));
        return command;
    }

    private static EditEvent AdHocEdit(string domain, long revId, long? parent) => new()
    {
        SchemaUri = "cli",
        Stream = "cli",
        Domain = domain,
        WikiId = domain,
        RevId = revId,
        ParentRevId = parent,
        Kind = EditKind.Edit,
        SourceKind = "cli",
        PageTitle = "(ad hoc)",
        Namespace = 0,
        EventTime = TimeProvider.System.GetUtcNow(),
    };
}
