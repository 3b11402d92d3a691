using System.Security.Claims;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review;

/// <summary>
/// Which database login serves a signed-in user: oversighters the restricted reader's, everyone else the moderator's.
/// The database then decides what each sees (migration 0007); the app adds no visibility rule of its own.
/// </summary>
public sealed class ReviewAccess(
    IOptions<ReviewOptions> options,
    [FromKeyedServices(ReviewAccess.ModeratorKey)] ModeratorQueries moderator,
    [FromKeyedServices(ReviewAccess.RestrictedKey)] ModeratorQueries restricted)
{
    public const string ModeratorKey = "safeguard-review-moderator";
    public const string RestrictedKey = "safeguard-review-restricted";
    public const string ReviewerPolicy = "reviewer";

    public ReviewOptions Options { get; } = options.Value;

    public bool IsOversighter(ClaimsPrincipal user) => user.IsInRole(Options.OversighterRole);

    public ModeratorQueries QueriesFor(ClaimsPrincipal user) => IsOversighter(user) ? restricted : moderator;

    /// <summary>The provider's subject: stable per person, stored with each judgement.</summary>
    public static string ReviewerId(ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value ?? throw new InvalidOperationException("the identity provider's token carries no 'sub' claim");

    public static string DisplayName(ClaimsPrincipal user) => user.Identity?.Name ?? user.FindFirst("sub")?.Value ?? "?";
}
