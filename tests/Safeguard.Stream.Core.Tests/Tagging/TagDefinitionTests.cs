using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class TagDefinitionTests
{
    private static Policy Policy(string id, string title, PolicyVisibility visibility = PolicyVisibility.Public, string? tag = null) => new()
    {
        Id = id,
        Version = 1,
        Title = title,
        Visibility = visibility,
        Tag = tag,
        Body = "# " + title,
        SourcePath = $"/srv/policies/{id}.md",
    };

    [Fact]
    public void ForPolicies_PublicAndRestricted_DefinesThePublicOnesByTheirChangeTag()
    {
        var tags = TagDefinition.ForPolicies(
            [Policy("spam", "Spam"), Policy("private-information", "Private", PolicyVisibility.Restricted), Policy("blp", "Living people", tag: "sg-blp")],
            "https://example.org/policies/");

        Assert.Equal(["safeguard-spam", "sg-blp"], tags.Select(t => t.Name));
        Assert.Equal(["spam", "blp"], tags.Select(t => t.PolicyId));
        Assert.Equal("MediaWiki:Tag-sg-blp-description", tags[1].DescriptionPage);
    }

    [Fact]
    public void ForPolicies_WithPolicyUrl_DescriptionIsTheTitleAndAWikitextLinkToTheFile()
    {
        var tag = Assert.Single(TagDefinition.ForPolicies([Policy("spam", "Spam, promotion and link spam")], "https://example.org/policies/"));

        Assert.Equal("Safeguard.Stream: Spam, promotion and link spam ([https://example.org/policies/spam.md policy text])", tag.Description);
    }

    [Fact]
    public void ForPolicies_WithoutPolicyUrl_DescriptionNamesTheFile()
    {
        var tag = Assert.Single(TagDefinition.ForPolicies([Policy("vandalism", "Vandalism")], null));

        Assert.Equal("Safeguard.Stream: Vandalism (policy file vandalism.md)", tag.Description);
    }

    [Fact]
    public void ForPolicies_TwoPoliciesSharingATag_DefineItOnce()
    {
        var tags = TagDefinition.ForPolicies([Policy("vandalism", "Vandalism", tag: "sg-vandal"), Policy("vandalism-de", "Vandalismus", tag: "sg-vandal")], null);

        Assert.Equal("sg-vandal", Assert.Single(tags).Name);
    }
}
