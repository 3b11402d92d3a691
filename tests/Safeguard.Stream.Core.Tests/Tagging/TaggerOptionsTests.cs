using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class TaggerOptionsTests
{
    private sealed class Catalog(IReadOnlyList<Policy> policies) : IPolicyCatalog
    {
        public IReadOnlyList<Policy> Policies { get; } = policies;
    }

    private static TaggerOptionsCustomValidator CreateSut() => new(new Catalog(VerdictSamples.Policies));

    [Fact]
    public void Validate_RestrictedPolicyListed_IsRefusedNamingTheKeyAndWhy()
    {
        var result = CreateSut().Validate(null, VerdictSamples.Options(o => o.Policies = ["spam", "private-information"]));

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Safeguard:Tagging:Policies: 'private-information' is a restricted policy", failure, StringComparison.Ordinal);
        Assert.Contains("never tagged publicly", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownPolicyListed_IsRefused()
    {
        var result = CreateSut().Validate(null, VerdictSamples.Options(o => o.Policies = ["spma"]));

        Assert.Contains("'spma' is not a loaded policy", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MinimumSampleLargerThanTheWindow_IsRefused()
    {
        var result = CreateSut().Validate(null, VerdictSamples.Options(o =>
        {
            o.MinSample = 300;
            o.WindowSize = 200;
        }));

        Assert.StartsWith("Safeguard:Tagging:MinSample", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(6, true)]
    [InlineData(45, true)]
    [InlineData(3600, false)]
    public void Validate_SessionTimeout_BetweenSixSecondsAndHalfAnHour(int seconds, bool valid)
    {
        var result = CreateSut().Validate(null, VerdictSamples.Options(o => o.SessionTimeout = TimeSpan.FromSeconds(seconds)));

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.StartsWith("Safeguard:Tagging:SessionTimeout", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_PublicPoliciesOnly_Succeeds()
    {
        Assert.True(CreateSut().Validate(null, VerdictSamples.Options(o => o.Policies = ["spam", "blp"])).Succeeded);
    }

    [Fact]
    public void Selects_RestrictedPolicyWithoutAList_IsStillNotSelected()
    {
        var options = VerdictSamples.Options();

        Assert.True(options.Selects(VerdictSamples.Spam));
        Assert.False(options.Selects(VerdictSamples.Private));
    }
}
