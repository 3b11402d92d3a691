using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Safeguard.Stream.Postgres.Tests;

public sealed class PostgresHostingExtensionsTests
{
    [Fact]
    public async Task AddSafeguardPostgres_ConnectionString_BuildsTheNamedDataSourceFromTheOption()
    {
        await using var host = CreateSut(new() { ["Safeguard:Postgres:ConnectionString"] = "Host=db.example;Port=6543;Database=audit;Username=safeguard" });

        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var connection = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(("db.example", 6543, "audit"), (connection.Host, connection.Port, connection.Database));
        Assert.Contains(registrations, r => r.Name == PostgresHealthCheck.Name && r.Tags.Contains("ready"));
    }

    [Fact]
    public async Task AddSafeguardPostgres_NoConnectionString_FailsAtStartNamingTheKey()
    {
        await using var host = CreateSut([]);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(ex.Failures, f => f.StartsWith("Safeguard:Postgres:ConnectionString: ", StringComparison.Ordinal));
    }

    private static ServiceProviderHost CreateSut(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSafeguardPostgres();
        return new ServiceProviderHost(builder.Build());
    }

    /// <summary>Disposes the host asynchronously: the data source is an async-disposable singleton.</summary>
    private sealed class ServiceProviderHost(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public Task StartAsync(CancellationToken cancellationToken) => host.StartAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}
