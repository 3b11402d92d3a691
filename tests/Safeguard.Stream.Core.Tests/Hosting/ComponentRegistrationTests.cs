using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Hosting;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Hosting;

public sealed class ComponentRegistrationTests
{
    [Theory]
    [InlineData("Safeguard:Pipeline:RawCapacity", "0", "Safeguard:Pipeline:RawCapacity: ")]
    [InlineData("Safeguard:Pipeline:PublishBatchSize", "20000", "Safeguard:Pipeline:PublishBatchSize: ")]
    [InlineData("Safeguard:Filters:DedupeWindow", "0", "Safeguard:Filters:DedupeWindow: ")]
    public async Task AddSafeguardCore_BadValue_FailsAtStartNamingTheFullKey(string key, string value, string named)
    {
        using var host = CreateSut(new() { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(ex.Failures, f => f.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void AddSafeguardCore_DefaultConfiguration_IsValid()
    {
        using var host = CreateSut([]);

        Assert.Equal(1_000, host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.RawCapacity);
        Assert.Equal(100_000, host.Services.GetRequiredService<IOptions<FilterOptions>>().Value.DedupeWindow);
        Assert.NotNull(host.Services.GetRequiredService<PipelineChannels>());
    }

    [Fact]
    public void GetValidated_BadValue_ThrowsNamingTheFullKey()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Safeguard:Pipeline:ResultCapacity", "-1")])
            .Build();

        var ex = Assert.Throws<OptionsValidationException>(() =>
            configuration.GetValidated(PipelineOptions.SectionName, new PipelineOptionsValidator()));

        Assert.Contains(ex.Failures, f => f.StartsWith("Safeguard:Pipeline:ResultCapacity: ", StringComparison.Ordinal));
    }

    private static IHost CreateSut(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSafeguardCore();
        return builder.Build();
    }
}
