using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary>
/// A classifier client as the host registers it (<c>AddSafeguardClassifierClient</c>: the keyed transport pipeline
/// and the server status), for the given options, so the tests exercise the registered retry layer.
/// </summary>
internal static class ClassifierClients
{
    public static SafeguardClassifierClient Create(LlmOptions options, ILogger<SafeguardClassifierClient>? log = null, AdaptiveConcurrencyLimiter? limiter = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Options.Create(options))
            .AddSingleton(limiter ?? options.CreateLimiter())
            .AddSingleton(log ?? NullLogger<SafeguardClassifierClient>.Instance)
            .AddSafeguardClassifierClient()
            .BuildServiceProvider();
        return services.GetRequiredService<SafeguardClassifierClient>();
    }
}
