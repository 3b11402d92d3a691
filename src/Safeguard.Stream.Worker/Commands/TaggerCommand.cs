using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Kafka.Tagging;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard tagger [--drain]</c>: verdicts from the topic to change tags on the wikis that opted in, behind the
/// safety valve. <c>safeguard tagger valve [--wiki W --policy P] [--reset]</c>: the valves' state, and an operator's re-arm.
/// </summary>
internal static class TaggerCommand
{
    public static Command Create()
    {
        var drain = new Option<bool>("--drain") { Description = "Exit once every partition of the verdict topic is read (tests, backfills), after a summary." };
        var command = new Command("tagger",
            "Tag flagged edits on the wikis that opted in (Safeguard:Tagging:Wikis) with each policy's change tag; a consumer group on the verdict topic, with a safety valve per (wiki, policy).")
        {
            drain,
        };
        command.SetAction((parse, ct) => SafeguardCli.Guard(() => parse.GetValue(drain) ? DrainAsync(ct) : ServeAsync(ct)));
        command.Subcommands.Add(CreateValve());
        return command;
    }

    /// <summary>The long-running tagger, with <c>/alive</c>, <c>/health</c> (the tagger's check names an open valve, a paused tag, a stopped wiki) and <c>/metrics</c>.</summary>
    private static async Task<int> ServeAsync(CancellationToken cancellationToken)
    {
        var builder = RunCommand.CreateServiceBuilder(b => SafeguardHost.AddTagger(b, drain: false));
        await using var app = builder.Build();
        RunCommand.MapProbes(app);
        var consumer = ResolveConsumer(app.Services);
        await app.RunAsync(cancellationToken);
        return ExitCodeOf(consumer);
    }

    private static async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var builder = SafeguardHost.CreateCommandBuilder();
        SafeguardHost.AddTagger(builder, drain: true);
        using var host = builder.Build();
        // Resolved before the run: RunAsync disposes the host's services when it ends.
        var tally = host.Services.GetRequiredService<TaggerTally>();
        var state = host.Services.GetRequiredService<TaggerState>();
        var consumer = ResolveConsumer(host.Services);
        await host.RunAsync(cancellationToken);
        Console.WriteLine(tally.Summary());
        var valves = state.OpenValves;
        Console.WriteLine("tagger: valve=" + (valves.Count == 0 ? "closed" : "open " + string.Join(",", valves.Select(v => v.WikiId + "/" + v.PolicyId))));
        foreach (var problem in state.Describe())
        {
            Console.WriteLine("tagger: " + problem);
        }

        return ExitCodeOf(consumer);
    }

    /// <summary>
    /// The tagger's settings are checked first (a restricted policy listed is refused, naming the key), before the
    /// consumer and the wiki client it needs are built.
    /// </summary>
    private static TaggerConsumer ResolveConsumer(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<TaggerOptions>>().Value;
        return services.GetRequiredService<TaggerConsumer>();
    }

    /// <summary>The consumer ended on an error (the host stopped because of it): exit 1, the error is in the log.</summary>
    private static int ExitCodeOf(TaggerConsumer consumer) => consumer.ExecuteTask?.IsFaulted == true ? ExitCodes.RuntimeFailure : ExitCodes.Ok;

    private static Command CreateValve()
    {
        var wiki = new Option<string?>("--wiki") { Description = "Wiki id, e.g. enwiki." };
        var policy = new Option<string?>("--policy") { Description = "Policy id, e.g. spam." };
        var reset = new Option<bool>("--reset") { Description = "Re-arm the (wiki, policy) valve: tagging of the pair resumes. Verdicts held while it was open are not tagged." };
        var valve = new Command("valve", "List every safety valve's state, or re-arm one (--wiki W --policy P --reset).") { wiki, policy, reset };
        valve.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var wikiId = parse.GetValue(wiki);
            var policyId = parse.GetValue(policy);
            using var host = DbCommand.BuildPostgresHost();
            var store = host.Services.GetRequiredService<ITaggingStore>();
            if (parse.GetValue(reset))
            {
                if (string.IsNullOrWhiteSpace(wikiId) || string.IsNullOrWhiteSpace(policyId))
                {
                    throw new UsageException("--reset needs --wiki and --policy: a valve is re-armed one (wiki, policy) pair at a time");
                }

                var by = $"{Environment.UserName}@{Environment.MachineName}";
                if (!await store.ResetValveAsync(wikiId, policyId, by, ct))
                {
                    throw new CommandFailedException($"the safety valve for {wikiId}/{policyId} is not open; `safeguard tagger valve` lists them");
                }

                var held = (await store.ListValvesAsync(ct)).FirstOrDefault(v => v.WikiId == wikiId && v.PolicyId == policyId)?.Held ?? 0;
                Console.WriteLine($"tagger valve: {wikiId}/{policyId} re-armed by {by}; tagging of the pair resumes. " +
                                  $"{held} verdicts held while it was open stay in safeguard.tag_pending, untagged.");
                return ExitCodes.Ok;
            }

            var valves = (await store.ListValvesAsync(ct))
                .Where(v => (wikiId is null || v.WikiId == wikiId) && (policyId is null || v.PolicyId == policyId))
                .ToList();
            if (valves.Count == 0)
            {
                Console.WriteLine("tagger valve: no valve has opened; every (wiki, policy) pair is closed (tagging)");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"wiki",-14} {"policy",-20} {"state",-6} {"since",-20} {"held",6}  reason");
            foreach (var v in valves)
            {
                var since = (v.Open ? v.OpenedAt : v.ResetAt)?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
                var why = v.Open ? v.Reason : $"re-armed by {v.ResetBy} (opened {v.OpenedAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}: {v.Reason})";
                Console.WriteLine($"{v.WikiId,-14} {v.PolicyId,-20} {(v.Open ? "open" : "closed"),-6} {since,-20} {v.Held,6}  {why}");
            }

            return ExitCodes.Ok;
        }));
        return valve;
    }
}
