using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.FileProviders;
using Npgsql;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Review;

namespace Microsoft.Extensions.Hosting;

public static class ReviewHostingExtensions
{
    /// <summary>
    /// The review app's services: validated <see cref="ReviewOptions"/>, cookie + OpenID Connect sign-in with roles
    /// from the configured claim, the moderators' queries over two logins (keyed <see cref="ReviewAccess.ModeratorKey"/>
    /// and <see cref="ReviewAccess.RestrictedKey"/>), the wiki client for live diffs, Razor Pages with antiforgery.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardReview(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<ReviewOptions, ReviewOptionsValidator>(ReviewOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        builder.AddSafeguardMediaWiki();

        services.AddKeyedSingleton(ReviewAccess.ModeratorKey, (sp, _) =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<ReviewOptions>>().Value.ModeratorConnectionString));
        services.AddKeyedSingleton(ReviewAccess.RestrictedKey, (sp, _) =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<ReviewOptions>>().Value.RestrictedConnectionString));
        services.AddKeyedSingleton(ReviewAccess.ModeratorKey, (sp, key) => new ModeratorQueries(sp.GetRequiredKeyedService<NpgsqlDataSource>(key)));
        services.AddKeyedSingleton(ReviewAccess.RestrictedKey, (sp, key) => new ModeratorQueries(sp.GetRequiredKeyedService<NpgsqlDataSource>(key)));
        services.AddSingleton<ReviewAccess>();
        services.TryAddSingleton<RevisionDiffs>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = "safeguard-review";
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = false;
                o.AccessDeniedPath = "/forbidden";
            })
            .AddOpenIdConnect();
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .Configure<IOptions<ReviewOptions>>((oidc, review) => ConfigureOpenIdConnect(oidc, review.Value));

        // Signed in, or sent to the provider; signed in without either role, the 403 page.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<ReviewOptions>>((authorization, review) =>
            authorization.AddPolicy(ReviewAccess.ReviewerPolicy, policy => policy.RequireRole(review.Value.ModeratorRole, review.Value.OversighterRole)));

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "safeguard-review-antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });
        services.AddRazorPages(o => o.Conventions.AuthorizeFolder("/", ReviewAccess.ReviewerPolicy)
                .AllowAnonymousToPage("/Forbidden")
                .AllowAnonymousToPage("/Error"))
            .AddApplicationPart(typeof(ReviewOptions).Assembly);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ReviewOptions>>((forwarded, review) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (review.Value.TrustForwardedHeaders)
            {
                forwarded.KnownIPNetworks.Clear();
                forwarded.KnownProxies.Clear();
            }
        });
        services.AddHealthChecks();
        return builder;
    }

    /// <summary>
    /// <c>safeguard feedback export</c>'s services: the database (<c>Safeguard:Postgres</c>, whose login decides which
    /// policies' judgements it may read), the wiki client for the text, and <see cref="FeedbackExporter"/>. Nothing of
    /// the web app (no sign-in settings needed).
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardFeedbackExport(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSafeguardPostgres();
        builder.AddSafeguardMediaWiki();
        builder.Services.TryAddSingleton<RevisionDiffs>();
        builder.Services.TryAddSingleton<FeedbackExporter>();
        return builder;
    }

    /// <summary>Security headers, embedded assets (Codex and the app's stylesheet), sign-in, pages, sign-out, <c>/alive</c>.</summary>
    public static WebApplication MapSafeguardReview(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var authority = new Uri(app.Services.GetRequiredService<IOptions<ReviewOptions>>().Value.Authority);
        app.UseForwardedHeaders();
        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.Use(ContentSecurity.Headers(authority));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(ReviewOptions).Assembly, typeof(ReviewOptions).Namespace + ".wwwroot"),
            RequestPath = "/assets",
        });
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapHealthChecks("/alive").AllowAnonymous();
        app.MapRazorPages();
        // A POST with the antiforgery token (the layout's form): signs out of the app and of the provider.
        app.MapPost("/signout", async (HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            await antiforgery.ValidateRequestAsync(context);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/" });
        }).DisableAntiforgery();
        return app;
    }

    private static void ConfigureOpenIdConnect(OpenIdConnectOptions oidc, ReviewOptions review)
    {
        oidc.Authority = review.Authority;
        oidc.ClientId = review.ClientId;
        oidc.ClientSecret = review.ClientSecret;
        oidc.RequireHttpsMetadata = review.RequireHttpsMetadata;
        oidc.ResponseType = "code";
        oidc.UsePkce = true;
        oidc.SaveTokens = false;
        oidc.MapInboundClaims = false;
        oidc.GetClaimsFromUserInfoEndpoint = true;
        oidc.Scope.Clear();
        foreach (var scope in new[] { "openid", "profile", review.RoleClaim })
        {
            oidc.Scope.Add(scope);
        }

        oidc.ClaimActions.MapJsonKey(review.RoleClaim, review.RoleClaim);
        oidc.TokenValidationParameters.NameClaimType = "name";
        oidc.TokenValidationParameters.RoleClaimType = review.RoleClaim;
        oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
        oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
        // RP-initiated logout names the client, so the provider accepts post_logout_redirect_uri without an ID token.
        oidc.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            context.ProtocolMessage.ClientId = context.Options.ClientId;
            return Task.CompletedTask;
        };
    }
}
