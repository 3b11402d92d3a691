using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>
/// How the tag client signs in and paces its writes. The credentials come from configuration like every setting,
/// normally the environment (<c>Safeguard__Tagging__BotPassword</c>, which the chart fills from a Secret by name), and
/// are never logged.
/// The section is shared with the tagging consumer's own settings (wikis, valve), which this class does not bind.
/// </summary>
public sealed class WikiTagClientOptions
{
    public const string SectionName = "Safeguard:Tagging";

    /// <summary>A BotPassword's login name, <c>User@app</c> (Special:BotPasswords), with <see cref="BotPassword"/>.</summary>
    public string? BotUsername { get; set; }

    /// <summary>The BotPassword's generated key. Secret.</summary>
    public string? BotPassword { get; set; }

    /// <summary>An OAuth 2.0 owner-only consumer's access token, sent as <c>Authorization: Bearer</c>. Secret. Instead of a BotPassword.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// <c>bot</c> (default): every request carries <c>assert=bot</c>, so an account that lost its bot flag, or a lost
    /// session, fails instead of tagging as someone else. <c>user</c> for an account outside the bot group.
    /// </summary>
    [Required]
    [RegularExpression("^(bot|user)$", ErrorMessage = "must be 'bot' or 'user'")]
    public string Assert { get; set; } = "bot";

    /// <summary>Writes (<c>action=tag</c>, <c>action=managetags</c>) per second to one wiki (Wikimedia's bot policy asks for slow, serial writes).</summary>
    [Range(0.01, 100)]
    public double RequestsPerSecond { get; set; } = 1;

    /// <summary>
    /// Where a policy's text can be read, e.g. <c>https://example.org/safeguard/policies/</c>: a tag's description links
    /// to <c>{PolicyUrl}{file name}</c>. Empty: the description names the policy file only.
    /// </summary>
    [Url]
    public string? PolicyUrl { get; set; }

    public bool UsesBotPassword => !string.IsNullOrEmpty(BotUsername) || !string.IsNullOrEmpty(BotPassword);

    public bool UsesAccessToken => !string.IsNullOrEmpty(AccessToken);
}

[OptionsValidator]
internal sealed partial class WikiTagClientOptionsValidator : IValidateOptions<WikiTagClientOptions>
{
}

/// <summary>Exactly one way to sign in: the BotPassword pair or the access token. Failures name the full key, never a value.</summary>
internal sealed class WikiTagClientOptionsCustomValidator : IValidateOptions<WikiTagClientOptions>
{
    public ValidateOptionsResult Validate(string? name, WikiTagClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = WikiTagClientOptions.SectionName;
        var failures = new List<string>();
        if (options.UsesBotPassword && options.UsesAccessToken)
        {
            failures.Add($"{section}:AccessToken and {section}:BotUsername/{section}:BotPassword are both set: give one way to sign in");
        }
        else if (!options.UsesBotPassword && !options.UsesAccessToken)
        {
            failures.Add($"{section}:BotUsername and {section}:BotPassword (a BotPassword), or {section}:AccessToken (an OAuth 2.0 owner-only token), are required to tag");
        }
        else if (options.UsesBotPassword && string.IsNullOrEmpty(options.BotUsername))
        {
            failures.Add($"{section}:BotUsername is required with {section}:BotPassword (the BotPassword's login name, User@app)");
        }
        else if (options.UsesBotPassword && string.IsNullOrEmpty(options.BotPassword))
        {
            failures.Add($"{section}:BotPassword is required with {section}:BotUsername");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
