using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review.Tests;

/// <summary>
/// One review app for a test class, against real peers on loopback: PostgreSQL 15 (migrated, with login users in
/// <c>safeguard_moderator</c> and <c>safeguard_restricted_reader</c>), the OpenID Connect provider (npm oidc-provider),
/// a real MediaWiki (<see cref="MediaWikiServer"/>, one for the class: the seed's edits, and the diffs the item page
/// fetches), and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class ReviewAppFixture : IAsyncLifetime
{
    public const string ClientId = "safeguard-review-tests";
    private const string ClientSecret = "tests-only-client-secret";

    private PostgresCluster? _postgres;
    private MediaWikiServer? _wiki;
    private OidcProviderProcess? _provider;
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public string BaseUrl { get; private set; } = "";

    public ReviewSeed Seed { get; private set; } = null!;

    public NpgsqlDataSource Owner { get; private set; } = null!;

    /// <summary>The app's moderator login, for checking by SQL what that role may see.</summary>
    public NpgsqlDataSource ModeratorLogin { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string ProviderAuthority => _provider!.Authority;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _postgres = await PostgresCluster.StartAsync(ct: ct);
        var database = await _postgres.CreateDatabaseAsync("review_" + Guid.NewGuid().ToString("N")[..12], ct);
        Owner = NpgsqlDataSource.Create(database);
        await new DatabaseMigrator(Owner).MigrateAsync(ct);
        await using (var connection = await Owner.OpenConnectionAsync(ct))
        {
            // Login users as an operator creates them; the cluster trusts loopback, so no passwords here.
            await connection.ExecuteAsync(new CommandDefinition("""
                create role review_moderator login in role safeguard_moderator;
                create role review_oversighter login in role safeguard_restricted_reader;
                """, cancellationToken: ct));
        }

        _wiki = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = ["en.wikipedia.org", "de.wikipedia.org"] }, ct);
        Seed = await ReviewSeed.CreateAsync(_wiki, Owner, ct);
        var moderatorConnection = new NpgsqlConnectionStringBuilder(database) { Username = "review_moderator" }.ConnectionString;
        var restrictedConnection = new NpgsqlConnectionStringBuilder(database) { Username = "review_oversighter" }.ConnectionString;
        ModeratorLogin = NpgsqlDataSource.Create(moderatorConnection);

        var port = LocalResources.FreePort();
        BaseUrl = string.Create(CultureInfo.InvariantCulture, $"https://localhost:{port}");
        _provider = await OidcProviderProcess.StartAsync(RepositoryRoot, ClientId, ClientSecret, BaseUrl, ct);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Safeguard:Review:Authority"] = _provider.Authority,
            ["Safeguard:Review:ClientId"] = ClientId,
            ["Safeguard:Review:ClientSecret"] = ClientSecret,
            ["Safeguard:Review:RequireHttpsMetadata"] = "false",
            ["Safeguard:Review:ModeratorConnectionString"] = moderatorConnection,
            ["Safeguard:Review:RestrictedConnectionString"] = restrictedConnection,
            ["Safeguard:Review:PageSize"] = "5",
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = _wiki.ApiUrlTemplateString,
            ["Safeguard:MediaWiki:MissingRevisionRetries"] = "0",
            ["Safeguard:MediaWiki:MaxRetries"] = "0",
            ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",
        });
        // HTTPS as behind the production ingress: the session and antiforgery cookies are Secure-only.
        var certificate = LoopbackCertificate.Create();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.UseHttps(certificate)));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddSafeguardReview();
        _app = builder.Build();
        _app.MapSafeguardReview();
        await _app.StartAsync(ct);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumExecutable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public static string ChromiumExecutable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed: run `make setup` (it installs Debian's chromium package)");

    /// <summary>A fresh browser context (its own cookies) signed in as <paramref name="user"/> through the provider's login form.</summary>
    public async Task<IPage> SignInAsync((string Login, string Password) user, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            IgnoreHTTPSErrors = true,
            ViewportSize = viewport ?? new ViewportSize { Width = 1200, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync(user.Login);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(BaseUrl, StringComparison.Ordinal) && !url.Contains("signin-oidc", StringComparison.Ordinal));
        return page;
    }

    /// <summary>Saves a full-page screenshot under artifacts/review/.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(RepositoryRoot, "artifacts", "review");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        if (_wiki is not null)
        {
            await _wiki.DisposeAsync();
        }

        if (ModeratorLogin is not null)
        {
            await ModeratorLogin.DisposeAsync();
        }

        if (Owner is not null)
        {
            await Owner.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Safeguard.Stream.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Safeguard.Stream.sln not found above " + AppContext.BaseDirectory);
    }
}
