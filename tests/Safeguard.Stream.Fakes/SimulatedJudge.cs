using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Safeguard.Stream.Fakes;

/// <summary>A simulated verdict. <see cref="Category"/> is null when <see cref="Violation"/> is false.</summary>
/// <param name="Policy">Policy id recognised from the system message (spam, vandalism, ... or generic).</param>
/// <param name="Violation">Whether the keyword rules fired.</param>
/// <param name="Category">Policy category code such as SP2 or VAND1.</param>
/// <param name="Findings">What the rules found, in words (goes into rationale and reasoning).</param>
public sealed record SimulatedVerdict(string Policy, bool Violation, string? Category, IReadOnlyList<string> Findings);

/// <summary>
/// DETERMINISTIC STAND-IN for gpt-oss-safeguard's judgement: keyword and pattern rules, so that pipeline tests get
/// stable, explainable verdicts. It says nothing about moderation quality. The policy is recognised from the first
/// heading / first lines of the system or developer message; only the user message text is judged.
/// </summary>
public static partial class SimulatedJudge
{
    private const string InstructionsHeader = "# Instructions";

    private static readonly string[] PromoWords =
    [
        "buy", "discount", "casino", "cheap", "best price", "visit our", "click here", "free shipping", "order now",
        "limited offer", "promo code", "viagra", "loans",
    ];

    private static readonly string[] Profanity =
    [
        "fuck", "shit", "crap", "poop", "penis", "sucks", "bitch", "asshole", "dick", "bastard", "whore", "fart",
    ];

    private static readonly string[] GermanProfanity =
    [
        "scheiße", "scheisse", "arsch", "fick", "hurensohn", "wichser", "depp", "idiot", "kacke", "blöd", "doof",
    ];

    private static readonly string[] Insults =
    [
        "idiot", "stupid", "moron", "dumb", "loser", "imbecile", "retard", "jerk", "clown", "pathetic", "incompetent",
        "shut up", "get a life", "fool",
    ];

    private static readonly string[] Threats = ["kill you", "find you", "hurt you", "you will regret", "watch your back"];

    private static readonly string[] BlpWords = ["allegedly", "criminal", "arrested", "affair", "convicted", "scandal"];

    /// <summary>
    /// Recognises the policy from the first (system or developer) message: its first heading, else its first five
    /// non-empty lines. A leading <c># Instructions</c> header (how the model's chat template opens a developer
    /// message) is skipped, so the policy's own heading decides.
    /// </summary>
    public static string DetectPolicy(string systemText)
    {
        ArgumentNullException.ThrowIfNull(systemText);
        var lines = systemText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SkipWhile((line, index) => index == 0 && line == InstructionsHeader)
            .ToArray();
        var heading = lines.FirstOrDefault(l => l.StartsWith('#'));
        if (heading is not null && MatchPolicy(heading) is { } fromHeading)
        {
            return fromHeading;
        }

        return MatchPolicy(string.Join('\n', lines.Take(5))) ?? "generic";
    }

    /// <summary>Judges <paramref name="content"/> (the user message text) under <paramref name="policy"/>.</summary>
    public static SimulatedVerdict Judge(string policy, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return policy switch
        {
            "spam" => JudgeSpam(content),
            "vandalism" => JudgeVandalism(policy, content, Profanity),
            "vandalism-de" => JudgeVandalism(policy, content, GermanProfanity),
            "personal-attacks" => JudgePersonalAttacks(content),
            "private-information" => JudgePrivateInformation(content),
            "blp" => JudgeBlp(content),
            _ => JudgeGeneric(content),
        };
    }

    private static string? MatchPolicy(string text)
    {
        var t = text.ToLowerInvariant();
        // Order matters: "Vandalismus" contains "vandal", "personal information" is not "personal attack".
        if (t.Contains("vandalismus", StringComparison.Ordinal))
        {
            return "vandalism-de";
        }

        if (t.Contains("personal attack", StringComparison.Ordinal) || t.Contains("harass", StringComparison.Ordinal))
        {
            return "personal-attacks";
        }

        if (t.Contains("private", StringComparison.Ordinal) || t.Contains("personal information", StringComparison.Ordinal))
        {
            return "private-information";
        }

        if (t.Contains("living person", StringComparison.Ordinal) || BlpRegex().IsMatch(text))
        {
            return "blp";
        }

        if (t.Contains("spam", StringComparison.Ordinal))
        {
            return "spam";
        }

        return t.Contains("vandal", StringComparison.Ordinal) ? "vandalism" : null;
    }

    private static SimulatedVerdict JudgeSpam(string content)
    {
        var urls = UrlRegex().Matches(content).Select(m => m.Value).ToList();
        var promo = Found(content, PromoWords);
        var findings = new List<string>();
        if (urls.Count > 0)
        {
            findings.Add(Invariant($"{urls.Count} external link(s): {string.Join(", ", urls.Take(3))}"));
        }

        if (promo.Count > 0)
        {
            findings.Add("promotional wording: " + string.Join(", ", promo));
        }

        if (urls.Count >= 2 || (urls.Count >= 1 && promo.Count >= 1))
        {
            return new SimulatedVerdict("spam", true, "SP2", findings);
        }

        if (promo.Count >= 2)
        {
            return new SimulatedVerdict("spam", true, "SP1", findings);
        }

        return Safe("spam", findings, "no promotional links");
    }

    private static SimulatedVerdict JudgeVandalism(string policy, string content, string[] profanity)
    {
        var findings = new List<string>();
        var swear = Found(content, profanity);
        if (swear.Count > 0)
        {
            findings.Add("profanity or insults: " + string.Join(", ", swear));
            return new SimulatedVerdict(policy, true, "VAND1", findings);
        }

        var repeated = RepeatedRegex().Match(content);
        if (repeated.Success)
        {
            findings.Add(Invariant($"a run of {repeated.Length} repeated characters"));
            return new SimulatedVerdict(policy, true, "VAND2", findings);
        }

        if (IsShouting(content))
        {
            findings.Add("text written mostly in capitals");
            return new SimulatedVerdict(policy, true, "VAND2", findings);
        }

        var lower = content.ToLowerInvariant();
        if (lower.Contains("was here", StringComparison.Ordinal) || lower.Contains("war hier", StringComparison.Ordinal))
        {
            findings.Add("a \"was here\" tag");
            return new SimulatedVerdict(policy, true, "VAND3", findings);
        }

        if (BlankingRegex().IsMatch(content))
        {
            findings.Add("the edit blanks the page or removes most of its content");
            return new SimulatedVerdict(policy, true, "VAND4", findings);
        }

        return Safe(policy, findings, "no profanity, nonsense, shouting or blanking");
    }

    private static SimulatedVerdict JudgePersonalAttacks(string content)
    {
        var findings = new List<string>();
        var threats = Found(content, Threats);
        if (threats.Count > 0)
        {
            findings.Add("threatening wording: " + string.Join(", ", threats));
            return new SimulatedVerdict("personal-attacks", true, "PA2", findings);
        }

        var insults = Found(content, Insults);
        var aimed = AddresseeRegex().IsMatch(content);
        if (insults.Count > 0)
        {
            findings.Add("insulting words: " + string.Join(", ", insults) + (aimed ? ", aimed at a person or editor" : ""));
        }

        return insults.Count > 0 && aimed
            ? new SimulatedVerdict("personal-attacks", true, "PA1", findings)
            : Safe("personal-attacks", findings, "no insult aimed at another person");
    }

    private static SimulatedVerdict JudgePrivateInformation(string content)
    {
        var findings = new List<string>();
        string? category = null;
        var phone = PhoneRegex().Matches(content).FirstOrDefault(m => m.Value.Count(char.IsAsciiDigit) >= 9);
        if (phone is not null)
        {
            findings.Add("a phone number");
            category ??= "PI1";
        }

        if (EmailRegex().IsMatch(content))
        {
            findings.Add("an e-mail address");
            category ??= "PI2";
        }

        if (AddressRegex().IsMatch(content))
        {
            findings.Add("a street address");
            category ??= "PI3";
        }

        return category is null
            ? Safe("private-information", findings, "no phone number, e-mail or street address")
            : new SimulatedVerdict("private-information", true, category, findings);
    }

    private static SimulatedVerdict JudgeBlp(string content)
    {
        var words = Found(content, BlpWords);
        var sourced = content.Contains("<ref", StringComparison.OrdinalIgnoreCase);
        var findings = new List<string>();
        if (words.Count > 0)
        {
            findings.Add("contentious claims: " + string.Join(", ", words) + (sourced ? " (with a <ref> citation)" : " without a <ref> citation"));
        }

        return words.Count > 0 && !sourced
            ? new SimulatedVerdict("blp", true, "BLP1", findings)
            : Safe("blp", findings, "no unsourced contentious claim about a living person");
    }

    private static SimulatedVerdict JudgeGeneric(string content)
    {
        var findings = new List<string>();
        var swear = Found(content, Profanity);
        var urls = UrlRegex().Count(content);
        if (swear.Count > 0)
        {
            findings.Add("profanity: " + string.Join(", ", swear));
        }

        if (urls >= 2)
        {
            findings.Add(Invariant($"{urls} external links"));
        }

        return findings.Count > 0
            ? new SimulatedVerdict("generic", true, "GEN1", findings)
            : Safe("generic", findings, "nothing the generic rules flag");
    }

    private static SimulatedVerdict Safe(string policy, List<string> findings, string why)
    {
        findings.Add(why);
        return new SimulatedVerdict(policy, false, null, findings);
    }

    private static List<string> Found(string content, string[] words)
    {
        var lower = content.ToLowerInvariant();
        return words.Where(w => Regex.IsMatch(lower, @"(?<![\p{L}])" + Regex.Escape(w), RegexOptions.CultureInvariant)).ToList();
    }

    private static bool IsShouting(string content)
    {
        var letters = content.Where(char.IsLetter).ToList();
        return letters.Count >= 12 && letters.Count(char.IsUpper) >= letters.Count * 0.7;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds the simulated analysis-channel text; its length grows with reasoning effort.</summary>
    internal static string BuildReasoning(SimulatedVerdict verdict, string effort)
    {
        var sb = new StringBuilder();
        sb.Append("[simulated] Deterministic stand-in for gpt-oss-safeguard, not a model. ");
        sb.Append(CultureInfo.InvariantCulture, $"The policy in the system message is recognised as \"{verdict.Policy}\". ");
        sb.Append("Checking the user content against its rules. Findings: ");
        sb.Append(string.Join("; ", verdict.Findings)).Append(". ");
        if (effort is "medium" or "high")
        {
            sb.Append("The definitions section is applied literally; borderline wording is not escalated. ");
            sb.Append("Only the submitted content is judged, instructions inside it are ignored. ");
        }

        if (effort is "high")
        {
            sb.Append("Re-reading the examples in the policy: the findings above match the listed violating patterns ");
            sb.Append(verdict.Violation ? "closely enough to label the content. " : "nowhere, so the safe label applies. ");
            sb.Append("Checking for exceptions (quotations, discussion of the topic, reverts of earlier damage): none assumed. ");
        }

        sb.Append(verdict.Violation
            ? $"Conclusion: violation, category {verdict.Category}."
            : "Conclusion: no violation.");
        return sb.ToString();
    }

    [GeneratedRegex(@"https?://[^\s\]\[<>""|}{]+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"(\S)\1{5,}")]
    private static partial Regex RepeatedRegex();

    [GeneratedRegex(@"\b(blank(ed|ing)?|page blanked|removed all( content)?|delete[sd]? everything)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BlankingRegex();

    [GeneratedRegex(@"\b(you|your|you're|youre|u|editors?|admins?|administrators?|he|she|they)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AddresseeRegex();

    [GeneratedRegex(@"\+?\d[\d\s().\-]{7,}\d")]
    private static partial Regex PhoneRegex();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"\b\d{1,5}\s+(\w+\s+){1,3}(street|st\.|avenue|ave\.?|road|rd\.|lane|ln\.|boulevard|blvd\.?|drive|dr\.|straße|strasse|weg|platz)(?!\w)", RegexOptions.IgnoreCase)]
    private static partial Regex AddressRegex();

    [GeneratedRegex(@"\bBLP\b")]
    private static partial Regex BlpRegex();
}
