using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Safeguard.Stream.Review.Pages;

/// <summary>Status pages (400 for a refused form, 404, 500) without details of the failure.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "The request failed. Try again in a moment.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        (Title, Explanation) = code switch
        {
            400 => ("Request refused", "The form was not accepted (it may have expired). Reload the page and try again."),
            404 => ("Not found", "There is no such page, or no flagged verdict you may see at this address."),
            _ => (Title, Explanation),
        };
    }
}
