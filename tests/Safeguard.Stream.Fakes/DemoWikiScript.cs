namespace Safeguard.Stream.Fakes;

/// <summary>Who saves a scripted edit: the demo's human editor (a fresh account) or the bot (BotPassword, bot flag).</summary>
public enum DemoEditor
{
    Human,
    Bot,
}

/// <summary>What a scripted edit is meant to show (for the demo's printout; the worker and the simulator decide the rest).</summary>
public enum DemoEditKind
{
    Clean,
    Spam,
    Vandalism,
    Formatting,
    BotEdit,
}

/// <summary>One edit of <see cref="DemoWikiScript"/>: the page's whole new text on one wiki.</summary>
public sealed record DemoWikiEdit(string Domain, string Title, string Text, string Summary, DemoEditKind Kind, DemoEditor Editor = DemoEditor.Human)
{
    /// <summary>The edit whose revision the oversighter hides later (after its successor made it non-current).</summary>
    public bool HideLater { get; init; }
}

/// <summary>
/// The scripted editor of <c>make demo-wiki</c>: 31 edits on two wikis in the order they are saved. Spam, vandalism
/// and clean prose on en.wikipedia.org, a German page on de.wikipedia.org, a formatting-only edit and a bot edit (both
/// skipped by the worker), and one vandal edit hidden later (revision deletion). Every bad edit stands on its own page,
/// and no later edit removes it: a removal would show the bad text again in the next diff, and the simulator judges
/// removed text too.
/// </summary>
public static class DemoWikiScript
{
    public const string En = "en.wikipedia.org";

    public const string De = "de.wikipedia.org";

    public static IReadOnlyList<DemoWikiEdit> Edits { get; } = Build();

    private static List<DemoWikiEdit> Build()
    {
        const string alpha = "The Alpha is a river in the north of the valley. It rises in the hills above the old mill.";
        const string beta = "Beta is a small town on the Alpha river, known for its stone bridge and weekly market.";
        const string gamma = "The Gamma Observatory was built in 1902 on the hill east of Beta.";
        const string delta = "Delta Bakery is a family bakery in Beta, founded in 1931.";
        const string epsilon = "The Epsilon Bridge crosses the Alpha river at Beta. It has five stone arches.";
        const string zeta = "Zeta Lake is a reservoir fed by the Alpha river.";
        const string eta = "The Eta Museum shows the history of the valley's mills.";
        const string theta = "Theta Park is a public park on the south bank of the Alpha.";
        const string iota = "Iota station is a railway station on the valley line.";
        const string fluss = "Der Alpha ist ein Fluss im Norden des Tals. Er entspringt in den Hügeln oberhalb der alten Mühle.";
        return
        [
            new(En, "Alpha (river)", alpha, "new article", DemoEditKind.Clean),
            new(En, "Alpha (river)", alpha + "\n\nIts main tributary is the Little Alpha, which joins it at Beta.", "tributary", DemoEditKind.Clean),
            new(En, "Beta (town)", beta, "new article", DemoEditKind.Clean),
            new(En, "Beta (town)", beta + "\n\nThe town hall dates from 1750.", "history", DemoEditKind.Clean),
            new(En, "Gamma Observatory", gamma, "new article", DemoEditKind.Clean),
            new(En, "Gamma Observatory", gamma + "\n\nJOHN WAS HERE lol", "update", DemoEditKind.Vandalism),
            new(En, "Delta Bakery", delta, "new article", DemoEditKind.Clean),
            new(En, "Delta Bakery", delta + "\n\nBuy the best cakes online: https://cheap-cakes.example.com and https://cakes-deals.example.net order now!", "links", DemoEditKind.Spam),
            new(En, "Epsilon Bridge", epsilon, "new article", DemoEditKind.Clean),
            new(En, "Epsilon Bridge", epsilon + "\n\nTHIS BRIDGE IS THE WORST THING EVER BUILT IN THIS TOWN", "opinion", DemoEditKind.Vandalism),
            new(En, "Zeta Lake", zeta, "new article", DemoEditKind.Clean),
            new(En, "Zeta Lake", zeta + "\n\nCasino night at the lake! Use promo code LAKE50 for a discount, cheap loans available.", "events", DemoEditKind.Spam),
            new(En, "Eta Museum", eta, "new article", DemoEditKind.Clean),
            new(En, "Eta Museum", eta + "\n\nThe museum sucks, what a pile of crap.", "review", DemoEditKind.Vandalism),
            new(En, "Theta Park", theta, "new article", DemoEditKind.Clean),
            new(En, "Theta Park", theta + "\n\nKEVIN WAS HERE", "small fix", DemoEditKind.Vandalism) { HideLater = true },
            // Makes the vandal revision above non-current (the wiki cannot hide the current revision's text); the same
            // words in bold: formatting only, which the worker's pre-screen skips.
            new(En, "Theta Park", theta.Replace("Theta Park", "'''Theta Park'''", StringComparison.Ordinal) + "\n\nKEVIN WAS HERE", "bold", DemoEditKind.Formatting),
            new(En, "Iota station", iota, "new article", DemoEditKind.Clean),
            new(En, "Iota station", iota + "\n\nTrains run every hour to the coast.", "service", DemoEditKind.Clean),
            new(En, "Iota station", iota + "\n\nTrains run every hour to the coast.\n\n[[Category:Railway stations]]", "category", DemoEditKind.BotEdit, DemoEditor.Bot),
            new(En, "Kappa Hill", "Kappa Hill is the highest point of the valley, at 812 metres.", "new article", DemoEditKind.Clean),
            new(En, "Kappa Hill", "Kappa Hill is the highest point of the valley, at 812 metres.\n\nA path leads to the top from Beta.", "path", DemoEditKind.Clean),
            new(En, "Lambda Mill", "Lambda Mill is a water mill on the Alpha, restored in 1998.", "new article", DemoEditKind.Clean),
            new(En, "Lambda Mill", "Lambda Mill is a water mill on the Alpha, restored in 1998.\n\nVisit our mill shop https://mill-shop.example.com for the best price on flour!", "shop", DemoEditKind.Spam),
            new(En, "Mu Forest", "Mu Forest covers the western slopes of the valley.", "new article", DemoEditKind.Clean),
            new(En, "Mu Forest", "Mu Forest covers the western slopes of the valley.\n\nwoooooooooooooow!!!!!!!!!!!!", "wow", DemoEditKind.Vandalism),
            new(En, "Nu Chapel", "Nu Chapel is a small chapel near the source of the Alpha.", "new article", DemoEditKind.Clean),
            new(En, "Nu Chapel", "Nu Chapel is a small chapel near the source of the Alpha.\n\nIt was consecrated in 1412 and rebuilt after a fire in 1687.", "history", DemoEditKind.Clean),
            new(De, "Alpha (Fluss)", fluss, "neuer Artikel", DemoEditKind.Clean),
            new(De, "Alpha (Fluss)", fluss + "\n\nDer Autor ist ein Depp, alles Scheiße hier.", "Ergänzung", DemoEditKind.Vandalism),
            new(De, "Beta (Stadt)", "Beta ist eine Kleinstadt am Alpha, bekannt für ihre Steinbrücke und den Wochenmarkt.", "neuer Artikel", DemoEditKind.Clean),
        ];
    }
}
