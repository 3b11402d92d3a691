using System.Globalization;
using Dapper;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Review.Tests;

/// <summary>
/// The review app in Debian's Chromium (Playwright), signed in through a real OpenID Connect provider on loopback,
/// reading and writing a real PostgreSQL over the moderator's and the oversighter's logins.
/// </summary>
public sealed class ReviewAppTests(ReviewAppFixture app) : IClassFixture<ReviewAppFixture>
{
    [Fact]
    public async Task Visit_Unauthenticated_RedirectsToTheProvidersSignIn()
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/dashboard");

        Assert.StartsWith(app.ProviderAuthority + "/interaction/", page.Url, StringComparison.Ordinal);
        Assert.True(await page.GetByLabel("Password").IsVisibleAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task Moderator_FiltersOpensAndJudges_TheRowIsInPostgres()
    {
        var page = await app.SignInAsync(DemoUsers.Moderator);

        await page.GetByLabel("Wiki").FillAsync("enwiki");
        await page.GetByLabel("Minimum probability").FillAsync("0.9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("minprobability=0.9", StringComparison.OrdinalIgnoreCase));
        var titles = await page.Locator(".sg-queue__title").AllInnerTextsAsync();
        await ReviewAppFixture.ScreenshotAsync(page, "queue");

        Assert.Equal(["Eastfield Academy", "Port Alder"], titles.Order(StringComparer.Ordinal));
        await page.GetByRole(AriaRole.Link, new() { Name = "Eastfield Academy" }).ClickAsync();
        await page.WaitForURLAsync(app.BaseUrl + app.Seed.PublicSpam.ItemPath);
        Assert.Equal($"https://en.wikipedia.org/w/index.php?diff={app.Seed.PublicSpam.RevId}",
            await page.GetByRole(AriaRole.Link, new() { Name = "the diff on the wiki" }).GetAttributeAsync("href"));
        // The diff comes live from the real wiki: the line the edit added, highlighted.
        Assert.Contains(app.Seed.PublicSpam.Added, await page.Locator("ins.sg-diff__line--added").AllInnerTextsAsync());
        Assert.Contains(app.Seed.PublicSpam.Rationale, await page.Locator(".sg-rationale").InnerTextAsync(), StringComparison.Ordinal);
        await ReviewAppFixture.ScreenshotAsync(page, "item");

        await page.GetByLabel("incorrect").CheckAsync();
        await page.GetByLabel("Note (optional)").FillAsync("a school's own website, not spam");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save judgement" }).ClickAsync();
        await page.Locator("#my-judgement").WaitForAsync();

        await using var connection = await app.Owner.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var row = await connection.QuerySingleAsync<(string Verdict, string Note, string Reviewer, string Moderator)>(new CommandDefinition(
            "select verdict, note, reviewer, moderator from safeguard.feedback where event_id = @EventId",
            new { app.Seed.PublicSpam.EventId }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(("incorrect", "a school's own website, not spam", DemoUsers.Moderator.Login, "review_moderator"), row);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Judging_IsBlind_OthersShowOnlyAfterOwnAndTheLabelStandsAtQuorum()
    {
        var page = await app.SignInAsync(DemoUsers.Moderator);
        await page.GotoAsync(app.Seed.JudgedByOthers.ItemPath);

        var before = await page.ContentAsync();
        await page.GetByLabel("correct", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save judgement" }).ClickAsync();
        await page.Locator("#consensus").WaitForAsync();

        Assert.DoesNotContain("OTHER-REVIEWER-NOTE", before, StringComparison.Ordinal);
        Assert.Contains("OTHER-REVIEWER-NOTE", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal("Label: correct", await page.Locator("#consensus").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Moderator_SeesNoRestrictedFlag_InTheDomNorBySql()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await app.SignInAsync(DemoUsers.Moderator);

        await page.GotoAsync("/?mode=all&days=30");
        var queue = await page.ContentAsync();
        var item = await page.GotoAsync(app.Seed.Restricted.ItemPath);
        var itemHtml = await page.ContentAsync();
        await page.GotoAsync("/dashboard");
        var dashboard = await page.ContentAsync();

        Assert.Contains(app.Seed.PublicSpam.PolicyId, queue, StringComparison.Ordinal);
        foreach (var html in new[] { queue, itemHtml, dashboard })
        {
            Assert.DoesNotContain(app.Seed.Restricted.PolicyId, html, StringComparison.Ordinal);
            Assert.DoesNotContain(app.Seed.Restricted.Rationale, html, StringComparison.Ordinal);
            Assert.DoesNotContain("RESTRICTED-EVAL", html, StringComparison.Ordinal);
        }

        Assert.Equal(404, item!.Status);
        await using var connection = await app.ModeratorLogin.OpenConnectionAsync(ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select (select count(*) from safeguard.review_items where visibility = 'restricted') + (select count(*) from safeguard.flagged_edits where visibility = 'restricted') + (select count(*) from safeguard.verdict_facts where policy_id = 'private-information') + (select count(*) from safeguard.last_eval_runs where policy_id = 'private-information')",
            cancellationToken: ct)));
        var write = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "insert into safeguard.feedback (event_id, verdict, reviewer) values (@EventId, 'correct', 'x')", new { app.Seed.Restricted.EventId }, cancellationToken: ct)));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, write.SqlState);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Oversighter_SeesTheRestrictedFlagAndItsRationale()
    {
        var page = await app.SignInAsync(DemoUsers.Oversighter);

        var response = await page.GotoAsync(app.Seed.Restricted.ItemPath);

        Assert.Equal(200, response!.Status);
        Assert.Equal(app.Seed.Restricted.Rationale, await page.Locator(".sg-rationale").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Outsider_WithoutEitherRole_Gets403()
    {
        var page = await app.SignInAsync(DemoUsers.Outsider);

        var response = await page.GotoAsync("/");

        Assert.Equal(403, response!.Status);
        Assert.Equal("Not allowed", await page.Locator("h1").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRefusedAndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await app.SignInAsync(DemoUsers.Moderator);

        // The signed-in session's cookies, but no token: what a cross-site form would send.
        var response = await page.Context.APIRequest.PostAsync(app.Seed.Untouched.ItemPath, new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("Verdict", "correct"),
            MaxRedirects = 0,
        });

        Assert.Equal(400, response.Status);
        await using var connection = await app.Owner.OpenConnectionAsync(ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from safeguard.feedback where event_id = @EventId", new { app.Seed.Untouched.EventId }, cancellationToken: ct)));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("hidden")]
    [InlineData("redacted")]
    public async Task Item_RevisionHiddenOnTheWikiOrRedacted_ShowsRevisionDeletedOnly(string key)
    {
        var verdict = app.Seed.All.Single(v => v.Key == key);
        var page = await app.SignInAsync(DemoUsers.Moderator);

        await page.GotoAsync(verdict.ItemPath);
        var main = await page.Locator("main").InnerTextAsync();

        Assert.Contains("revision deleted", main, StringComparison.Ordinal);
        Assert.DoesNotContain(verdict.Rationale, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(verdict.PageTitle.Replace('_', ' '), main, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("form.sg-judge__form").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_ShowsRatesModeratorsPrecisionBesideTheLastEvalsAndTheValve()
    {
        var ct = TestContext.Current.CancellationToken;
        // A standing label on spam's enwiki flags: two reviewers agree the hidden one was right (the other page's
        // reviews come and go with the other tests, so this panel's moderators' precision is at least this label).
        await using (var connection = await app.Owner.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into safeguard.feedback (event_id, verdict, reviewer) values (@EventId, 'correct', 'dash-1'), (@EventId, 'correct', 'dash-2')",
                new { app.Seed.HiddenOnWiki.EventId }, cancellationToken: ct));
        }

        var page = await app.SignInAsync(DemoUsers.Moderator);

        await page.GotoAsync("/dashboard?policy=spam&wiki=enwiki");
        await ReviewAppFixture.ScreenshotAsync(page, "dashboard");

        var row = page.Locator("tr[data-mode=enforce]");
        Assert.Contains("%", await row.Locator("td").Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("svg.plot circle.point").CountAsync() > 0, "the daily chart has points");
        var compare = await page.Locator("#precision-spam-enwiki").InnerTextAsync();
        Assert.Matches(@"Moderators' labels, enforce\s+\d+ ?% \(\d+ ?%–\d+ ?%, \d+ labelled\)", compare);
        // The last recorded run (9 true, 3 false positives: 75%, Wilson 47%–91%), not the older one.
        Assert.StartsWith(
            string.Create(CultureInfo.InvariantCulture, $"{0.75:P0} ({0.47:P0}–{0.91:P0}, 12 labelled) on {ReviewSeed.EvalDataset} (v1, openai/gpt-oss-safeguard-20b, "),
            await page.Locator("#precision-spam-enwiki .sg-eval-precision").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("svg#precision-chart-spam-enwiki rect.bar").CountAsync());
        Assert.StartsWith("Safety valve: open since ", await page.Locator("#safety-valve-spam-enwiki").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("tagging stopped: flagged share 0.52", await page.Locator("#safety-valve-spam-enwiki").InnerTextAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_PairWhoseValveNeverOpened_SaysClosedAndNoEvalRecorded()
    {
        var page = await app.SignInAsync(DemoUsers.Moderator);

        await page.GotoAsync("/dashboard?policy=vandalism&days=30");

        Assert.Equal("Safety valve: closed (never opened)", await page.Locator("#safety-valve-vandalism-dewiki").InnerTextAsync());
        Assert.Equal("no eval recorded (safeguard eval --record)", await page.Locator("#precision-vandalism-dewiki .sg-eval-precision").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Pages_HaveNoSeriousOrCriticalAccessibilityViolations_AndFitAPhone()
    {
        var page = await app.SignInAsync(DemoUsers.Moderator, new ViewportSize { Width = 390, Height = 844 });
        var found = new List<string>();

        foreach (var (path, name) in new[] { ("/?mode=all&days=30", "phone-queue"), (app.Seed.Untouched.ItemPath, "phone-item"), ("/dashboard", "phone-dashboard") })
        {
            await page.GotoAsync(path);
            await ReviewAppFixture.ScreenshotAsync(page, name);
            var results = await page.RunAxe();
            found.AddRange(results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{path}: {v.Id} ({v.Impact}): {v.Help}"));
            // Elements that reach past the screen's right edge (a page that scrolls sideways on a phone).
            var overflowing = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.cdx-table__table-wrapper')).map(e => e.tagName + '.' + e.className)");
            found.AddRange(overflowing.Select(e => $"{path}: {e} is wider than the phone's screen"));
        }

        Assert.Empty(found);
        await page.Context.CloseAsync();
    }
}
