namespace Safeguard.Stream.Review;

/// <summary>The review app (<c>safeguard review</c>): sign-in, roles and its two database logins.</summary>
public sealed class ReviewOptions
{
    public const string SectionName = "Safeguard:Review";

    /// <summary>The OpenID Connect provider (issuer URL), e.g. Wikimedia's identity provider.</summary>
    [Required]
    [Url]
    public string Authority { get; set; } = string.Empty;

    [Required]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>From the environment or a mounted secret (the chart's <c>review.oidc.existingSecret</c>), never a file in the image.</summary>
    [Required]
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The claim that carries the user's groups (from the ID token or the userinfo endpoint).</summary>
    [Required]
    public string RoleClaim { get; set; } = "groups";

    /// <summary>Reviews public policies' flags.</summary>
    [Required]
    public string ModeratorRole { get; set; } = "moderator";

    /// <summary>Also sees restricted policies (over <see cref="RestrictedConnectionString"/>).</summary>
    [Required]
    public string OversighterRole { get; set; } = "oversighter";

    /// <summary>Agreeing reviews a label needs to stand.</summary>
    [Range(1, 100)]
    public int Quorum { get; set; } = 2;

    [Range(5, 500)]
    public int PageSize { get; set; } = 25;

    /// <summary>How far back the queue and the dashboard look unless a filter says otherwise.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A login in <c>safeguard_moderator</c>: serves every page for moderators.</summary>
    [Required]
    public string ModeratorConnectionString { get; set; } = string.Empty;

    /// <summary>A login in <c>safeguard_restricted_reader</c>: serves oversighters only.</summary>
    [Required]
    public string RestrictedConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Take the scheme and client address from <c>X-Forwarded-Proto</c>/<c>-For</c> of any peer: only behind a proxy
    /// that terminates TLS and is the app's only way in (the chart's NetworkPolicy). Off, only loopback proxies count.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>False only for a provider on loopback over plain HTTP (tests, <c>make review</c>).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

[OptionsValidator]
internal sealed partial class ReviewOptionsValidator : IValidateOptions<ReviewOptions>
{
}
