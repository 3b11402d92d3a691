namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard llm check [--policy ID]</c>: the model server conformance check (<see cref="LlmConformanceCheck"/>),
/// one PASS/WARN/FAIL line per check. Exit 0 when every required check passes, 1 when one fails, 2 for bad usage.
/// </summary>
internal static class LlmCommand
{
    public static Command Create()
    {
        var policyOption = new Option<string?>("--policy") { Description = "Check only this policy (default: every loaded policy)." };
        var check = new Command("check", "Check a model server before pointing the worker at it: reachable, authorised, model served, verdict in content, logprobs, prefix cache, scheduler metrics.")
        {
            policyOption,
        };
        check.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = SafeguardHost.CreateCommandBuilder();
            builder.AddSafeguardClassification();
            using var host = builder.Build();

            var catalog = host.Services.GetRequiredService<PolicyCatalog>();
            var policies = parse.GetValue(policyOption) is { } id
                ? [catalog.Policies.FirstOrDefault(p => p.Id == id) ?? throw new UsageException($"--policy: no policy '{id}' in {catalog.Directory}")]
                : catalog.Policies;
            var options = host.Services.GetRequiredService<IOptions<LlmOptions>>().Value;
            Console.WriteLine($"llm check: {options.Endpoint}, model {options.Model}, policy role {options.PolicyRole.ToString().ToLowerInvariant()}, {policies.Count} polic{(policies.Count == 1 ? "y" : "ies")}");

            using var http = new HttpClient { Timeout = options.RequestTimeout + TimeSpan.FromSeconds(5) };
            var check = new LlmConformanceCheck(host.Services.GetRequiredService<SafeguardClassifierClient>(), options, http, TimeProvider.System);
            var results = await check.RunAsync(policies, ct);
            foreach (var result in results)
            {
                Console.WriteLine(result);
            }

            var exit = LlmConformanceCheck.ExitCode(results);
            Console.WriteLine($"llm check: {results.Count(r => r.Outcome == CheckOutcome.Pass)} pass, {results.Count(r => r.Outcome == CheckOutcome.Warn)} warn, " +
                              $"{results.Count(r => r.Outcome == CheckOutcome.Fail)} fail; {(exit == 0 ? "the required checks passed" : "a required check failed")}");
            return exit;
        }));

        return new Command("llm", "Work with the model server.") { check };
    }
}
