namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard review</c>: the moderators' review app (src/Safeguard.Stream.Review) from the same binary, so one
/// image and one configuration serve the worker, the tagger and the app; only the command differs per Deployment.
/// </summary>
internal static class ReviewCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (behind TLS termination in production: cookies are Secure).",
            DefaultValueFactory = _ => "http://127.0.0.1:8080",
        };
        var command = new Command("review", "Serve the review app: flagged edits, judgements, the policy dashboard (OpenID Connect sign-in).") { urls };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            SafeguardHost.Configure(builder, logsToStdout: true);
            builder.WebHost.UseUrls(parse.GetValue(urls)!);
            builder.AddSafeguardReview();
            await using var app = builder.Build();
            app.MapSafeguardReview();
            await app.RunAsync(ct);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
