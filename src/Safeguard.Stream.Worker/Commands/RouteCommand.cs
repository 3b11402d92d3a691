using Safeguard.Stream.EventStreams;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard route --events FILE</c>: explains, event by event, what the filters and policy scopes decide. No network.</summary>
internal static class RouteCommand
{
    public static Command Create()
    {
        var events = new Option<FileInfo>("--events") { Description = "JSONL of event payloads, or a raw SSE capture.", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON settings file (same shape as appsettings.json) layered over the defaults." };
        var command = new Command("route", "Explain routing for a file of events: which policies each edit gets, or why it is skipped.") { events, config };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var file = parse.GetValue(events)!;
            if (!file.Exists)
            {
                throw new UsageException($"--events: file not found: {file.FullName}");
            }

            var configFile = parse.GetValue(config);
            if (configFile is { Exists: false })
            {
                throw new UsageException($"--config: file not found: {configFile.FullName}");
            }

            var builder = SafeguardHost.CreateCommandBuilder(new Dictionary<string, string?> { ["Safeguard:Source:File"] = file.FullName }, configFile?.FullName);
            builder.AddSafeguardClassification();
            builder.AddSafeguardCore();
            builder.AddSafeguardEventStreams();
            using var host = builder.Build();

            var triage = new EditTriage(host.Services.GetRequiredService<EditRouter>(), host.Services.GetRequiredService<IOptions<FilterOptions>>().Value);
            var source = new FileEventSource(host.Services.GetRequiredService<IOptions<SourceOptions>>(), TimeProvider.System);
            var channel = Channel.CreateUnbounded<SourceEvent>();
            var reading = Task.Run(async () =>
            {
                try
                {
                    await source.RunAsync(channel.Writer, ct);
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            }, ct);

            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            await foreach (var raw in channel.Reader.ReadAllAsync(ct))
            {
                var decision = triage.Triage(raw);
                var (outcome, label) = (Outcome(decision), Label(decision));
                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                Console.WriteLine($"{raw.LineNumber,6}  {Printable(label),-40}  {outcome}");
            }

            await reading;
            Console.WriteLine("route: " + string.Join(" ", counts.Select(c => $"{c.Key}={c.Value}")));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Labels can carry text from a bad event; keep the terminal safe from control characters.</summary>
    private static string Printable(string text)
    {
        var clean = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length <= 120 ? clean : clean[..120] + "…";
    }

    private static string Outcome(TriageDecision decision) => decision.Outcome switch
    {
        TriageOutcome.DeadLetter => "dead_letter:" + decision.Reason,
        TriageOutcome.Skip => "skip:" + decision.Reason,
        TriageOutcome.VisibilityChange => "redact:visibility_change",
        _ => "classify:" + string.Join("+", decision.Policies.Select(p => p.Id)),
    };

    private static string Label(TriageDecision decision) => decision.Edit is { } edit
        ? $"{edit.WikiId}:{edit.RevId.ToString(CultureInfo.InvariantCulture)} ns{edit.Namespace} {edit.SourceKind}"
        : decision.ParseError ?? "-";
}
