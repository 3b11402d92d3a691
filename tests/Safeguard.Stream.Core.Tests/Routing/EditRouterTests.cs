using Microsoft.Extensions.Configuration;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Routing;

public sealed class EditRouterTests
{
    private static readonly Policy s_spam = new() { Id = "spam", Version = 1, Title = "Spam", Body = "b" };
    private static readonly Policy s_german = new()
    {
        Id = "vandalism-de",
        Version = 1,
        Title = "Vandalismus",
        Body = "b",
        AppliesTo = new PolicyScope([], ["de"], [0]),
    };

    private static EditRouter CreateSut(FilterOptions? options = null) => new(options ?? new FilterOptions(), [s_spam, s_german]);

    private static EditEvent Edit(string domain = "en.wikipedia.org", int ns = 0, EditKind kind = EditKind.Edit, Performer? performer = null) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.2.0",
        Stream = "mediawiki.page_change.v1",
        Domain = domain,
        WikiId = domain.Split('.')[0] + "wiki",
        RevId = 1,
        ParentRevId = kind == EditKind.Create ? null : 0,
        Kind = kind,
        SourceKind = kind.ToString().ToLowerInvariant(),
        PageTitle = "T",
        Namespace = ns,
        EventTime = DateTimeOffset.UnixEpoch,
        Performer = performer,
    };

    [Fact]
    public void Route_ArticleEdit_GetsPoliciesForItsLanguage()
    {
        var english = CreateSut().Route(Edit());
        var german = CreateSut().Route(Edit("de.wikipedia.org"));

        Assert.Equal(["spam"], english.Policies.Select(p => p.Id));
        Assert.Equal(["spam", "vandalism-de"], german.Policies.Select(p => p.Id));
    }

    [Theory]
    [InlineData(1, SkipReason.Namespace)]
    [InlineData(3, SkipReason.Namespace)]
    public void Route_OtherNamespace_IsSkipped(int ns, string reason)
    {
        Assert.Equal(reason, CreateSut().Route(Edit(ns: ns)).SkipReason);
    }

    [Fact]
    public void Route_OtherKind_IsSkippedBeforeNamespace()
    {
        Assert.Equal(SkipReason.Kind, CreateSut().Route(Edit(ns: 4, kind: EditKind.Other)).SkipReason);
    }

    [Fact]
    public void Route_Bot_IsSkipped()
    {
        var bot = new Performer("ExampleBot", true, false, ["bot"], 10);
        Assert.Equal(SkipReason.Bot, CreateSut().Route(Edit(performer: bot)).SkipReason);
    }

    [Fact]
    public void Route_TrustedGroup_IsSkipped()
    {
        var admin = new Performer("Admin", false, false, ["sysop", "user"], 10);
        Assert.Equal(SkipReason.TrustedGroup, CreateSut().Route(Edit(performer: admin)).SkipReason);
    }

    [Fact]
    public void Route_UserAboveEditCount_IsSkippedOnlyWhenLimitSet()
    {
        var veteran = new Performer("Veteran", false, false, ["user"], 50_000);
        var limited = new FilterOptions { MaxEditCount = 1000 };

        Assert.Equal(SkipReason.EditCount, CreateSut(limited).Route(Edit(performer: veteran)).SkipReason);
        Assert.False(CreateSut().Route(Edit(performer: veteran)).IsSkipped);
    }

    [Fact]
    public void Route_WikiNotWatched_IsSkipped()
    {
        var options = new FilterOptions();
        options.Wikis.Add("dewiki");
        Assert.Equal(SkipReason.Wiki, CreateSut(options).Route(Edit()).SkipReason);
    }

    [Fact]
    public void Route_NoPolicyMatches_IsSkippedWithReason()
    {
        var router = new EditRouter(new FilterOptions(), [s_german]);
        Assert.Equal(SkipReason.NoPolicy, router.Route(Edit()).SkipReason);
    }
}

public sealed class EditRouterFilterTests
{
    private static readonly Policy s_any = new() { Id = "spam", Version = 1, Title = "Spam", Body = "b" };

    private static EditEvent Edit(string wiki, int ns = 0, long? oldSize = 100, long? newSize = 120, Performer? performer = null) => new()
    {
        SchemaUri = "s",
        Stream = "s",
        Domain = wiki[..2] + ".wikipedia.org",
        WikiId = wiki,
        RevId = 1,
        ParentRevId = 0,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageTitle = "T",
        Namespace = ns,
        EventTime = DateTimeOffset.UnixEpoch,
        OldSize = oldSize,
        NewSize = newSize,
        Performer = performer,
    };

    [Fact]
    public void Route_PerWikiOverride_AppliesOnlyToThatWiki()
    {
        var options = new FilterOptions();
        options.PerWiki["dewiki"] = new WikiFilterOptions { Namespaces = [0, 2], MaxEditCount = 10 };
        var router = new EditRouter(options, [s_any]);
        var veteran = new Performer("V", false, false, ["user"], 50);

        Assert.False(router.Route(Edit("dewiki", ns: 2)).IsSkipped);
        Assert.Equal(SkipReason.Namespace, router.Route(Edit("enwiki", ns: 2)).SkipReason);
        Assert.Equal(SkipReason.EditCount, router.Route(Edit("dewiki", performer: veteran)).SkipReason);
        Assert.False(router.Route(Edit("enwiki", performer: veteran)).IsSkipped);
    }

    [Theory]
    [InlineData(100, 101, SkipReason.Size)]
    [InlineData(100, 5000, SkipReason.Size)]
    [InlineData(100, 150, null)]
    [InlineData(null, 150, null)]
    public void Route_SizeLimits_SkipTooSmallAndTooLargeChanges(int? oldSize, int newSize, string? expected)
    {
        var router = new EditRouter(new FilterOptions { MinBytesChanged = 5, MaxBytesChanged = 1000 }, [s_any]);

        Assert.Equal(expected, router.Route(Edit("enwiki", oldSize: oldSize, newSize: newSize)).SkipReason);
    }

    [Theory]
    [InlineData("autopatrolled")]
    [InlineData("rollbacker")]
    [InlineData("sysop")]
    public void Route_DefaultTrustedGroups_AreSkipped(string group)
    {
        var router = new EditRouter(new FilterOptions(), [s_any]);

        Assert.Equal(SkipReason.TrustedGroup, router.Route(Edit("enwiki", performer: new Performer("U", false, false, [group], 1))).SkipReason);
    }

    [Fact]
    public void Bind_ConfiguredNamespaces_ReplaceTheDefaultInsteadOfAppending()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Namespaces:0", "4"), new("PerWiki:dewiki:SkipBots", "false")])
            .Build();
        var options = new FilterOptions();

        configuration.Bind(options);

        var rules = new EditRouter(options, [s_any]);
        Assert.Equal([4], rules.RulesFor("enwiki").Namespaces);
        Assert.False(rules.RulesFor("dewiki").SkipBots);
        Assert.True(rules.RulesFor("enwiki").SkipBots);
    }
}
