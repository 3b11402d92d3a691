using Microsoft.AspNetCore.Http;

namespace Safeguard.Stream.Review;

/// <summary>
/// Headers on every response. The pages run no script at all and load styles only from this app (Codex is embedded),
/// so the policy allows nothing inline; charts are SVG with presentation attributes, which CSP does not count as
/// inline style. Forms may post here and, for sign-out's redirect, to the identity provider.
/// </summary>
internal static class ContentSecurity
{
    public static Func<HttpContext, RequestDelegate, Task> Headers(Uri authority)
    {
        var policy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; " +
            $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)}";
        return (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        };
    }
}
