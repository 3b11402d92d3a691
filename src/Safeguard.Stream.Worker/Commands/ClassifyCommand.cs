using Safeguard.Stream.MediaWiki;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard classify --policy ID (--text T | --rev WIKI:REVID)</c>: one verdict, printed, nothing stored.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var policyOption = new Option<string>("--policy") { Description = "Policy id (a file in the policy folder).", Required = true };
        var text = new Option<string?>("--text") { Description = "Text to classify, as if it were the added text of an edit." };
        var rev = new Option<string?>("--rev") { Description = "A revision to fetch and classify as the pipeline would: its diff against the parent revision (its content for a page creation). DOMAIN:REVID, e.g. en.wikipedia.org:1319367938." };
        var command = new Command("classify", "Classify one text or one revision against one policy and print the verdict.") { policyOption, text, rev };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var textValue = parse.GetValue(text);
            var revValue = parse.GetValue(rev);
            if ((textValue is null) == (revValue is null))
            {
                throw new UsageException("give exactly one of --text or --rev");
            }

            var builder = SafeguardHost.CreateCommandBuilder();
            builder.AddSafeguardClassification();
            builder.AddSafeguardMediaWiki();
            using var host = builder.Build();

            var policyId = parse.GetValue(policyOption)!;
            var policy = host.Services.GetRequiredService<PolicyCatalog>().Policies.FirstOrDefault(p => p.Id == policyId)
                ?? throw new UsageException($"--policy: no policy '{policyId}' in {host.Services.GetRequiredService<PolicyCatalog>().Directory}");

            EditEvent edit;
            DiffText diff;
            string input;
            if (textValue is not null)
            {
                edit = AdHocEdit("cli.example.org", 0, null, "(ad hoc)", 0);
                diff = new DiffText(textValue.Split('\n'), [], []);
                input = "text";
            }
            else
            {
                var separator = revValue!.LastIndexOf(':');
                if (separator <= 0 || !long.TryParse(revValue[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var revId))
                {
                    throw new UsageException($"--rev: expected DOMAIN:REVID, got '{revValue}'");
                }

                var domain = revValue[..separator];
                var wikiOptions = host.Services.GetRequiredService<IOptions<MediaWikiOptions>>().Value;
                if (!new DomainAllowlist(wikiOptions.EffectiveAllowedDomains).IsAllowed(domain))
                {
                    throw new UsageException($"--rev: domain '{domain}' is not in Safeguard:MediaWiki:AllowedDomains");
                }

                // The diff against the parent revision, as the pipeline sees it; a page creation (no parent) is its content.
                var wiki = host.Services.GetRequiredService<MediaWikiClient>();
                var revision = await wiki.LookUpRevisionAsync(domain, revId, ct);
                edit = AdHocEdit(domain, revId, revision?.ParentId, revision?.Title ?? "(unknown)", revision?.Namespace ?? 0);
                var fetched = await wiki.GetDiffAsync(
                    edit with { Kind = revision?.ParentId is > 0 ? EditKind.Edit : EditKind.Create }, ct);
                diff = fetched.Diff ?? throw new CommandFailedException(WhyNotClassified(revValue, fetched));
                if (fetched.Hidden != HiddenFields.None)
                {
                    // Classified, but without what the wiki hides; say so, since the verdict saw less than the event had.
                    edit = edit.WithHidden(fetched.Hidden);
                    await Console.Error.WriteLineAsync($"note: {revValue}: the wiki hides this revision's {Describe(fetched.Hidden)}; classified without it");
                }

                input = revision?.ParentId is > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"diff {revision.ParentId}->{revId}")
                    : "content (page creation or parent unknown)";
            }

            var verdict = await host.Services.GetRequiredService<SafeguardClassifierClient>()
                .ClassifyAsync(policy, new ClassificationRequest(edit, diff), ct);
            var flagKey = verdict.Mode == PolicyMode.Shadow ? "would_flag" : "flagged";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"policy={verdict.PolicyId} v{verdict.PolicyVersion} status={verdict.Status.ToString().ToLowerInvariant()} " +
                $"violation={verdict.Violation?.ToString().ToLowerInvariant() ?? "-"} probability={(verdict.Probability is null ? "-" : VerdictParser.FormatProbability(verdict.Probability))} " +
                $"{flagKey}={verdict.Flagged.ToString().ToLowerInvariant()} threshold={policy.Threshold} category={verdict.Category ?? "-"} " +
                $"tokens={verdict.PromptTokens}+{verdict.CompletionTokens} cached={verdict.CachedTokens} latency_ms={verdict.LatencyMs} " +
                $"effort={verdict.ReasoningEffort.ToName()} finish={verdict.FinishReason ?? "-"} input={input}{(verdict.InputTruncated ? " (truncated)" : "")}"));
            Console.WriteLine(verdict.Status == VerdictStatus.Ok ? $"rationale: {verdict.Rationale ?? "-"}" : $"error: {verdict.Error}");
            return verdict.Status == VerdictStatus.Ok ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
        }));
        return command;
    }

    /// <summary>Why a revision gives no text, in words (no exception type: this is the wiki's answer, not a bug).</summary>
    internal static string WhyNotClassified(string revision, DiffFetchResult fetched) => fetched.SkipReason switch
    {
        SkipReason.RevisionSuppressed => $"{revision} is not classified: its text is suppressed (oversighted) on the wiki ({fetched.SkipReason}; {fetched.Detail})",
        SkipReason.RevisionHidden => $"{revision} is not classified: its text is hidden by revision deletion on the wiki ({fetched.SkipReason}; {fetched.Detail})",
        SkipReason.RevisionMissing => $"{revision} is not classified: the wiki has no such revision, or it was deleted ({fetched.SkipReason}; {fetched.Detail})",
        SkipReason.EmptyDiff => $"{revision} is not classified: the edit added and removed nothing ({fetched.SkipReason})",
        { } reason => $"{revision} is not classified ({reason}; {fetched.Detail})",
        null => $"{revision} could not be fetched ({fetched.FailureReason}; {fetched.Detail})",
    };

    private static string Describe(HiddenFields hidden) => hidden switch
    {
        HiddenFields.User => "user name",
        HiddenFields.Summary => "edit summary",
        _ => "user name and edit summary",
    };

    private static EditEvent AdHocEdit(string domain, long revId, long? parent, string title, int ns) => new()
    {
        SchemaUri = "cli",
        Stream = "cli",
        Domain = domain,
        WikiId = domain,
        RevId = revId,
        ParentRevId = parent,
        Kind = EditKind.Edit,
        SourceKind = "cli",
        PageTitle = title,
        Namespace = ns,
        EventTime = TimeProvider.System.GetUtcNow(),
    };
}
