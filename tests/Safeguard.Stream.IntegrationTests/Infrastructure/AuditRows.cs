using Dapper;
using Npgsql;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>Waits for the worker's rows in <c>safeguard.classifications</c>, failing with what it saw after 120 s.</summary>
internal static class AuditRows
{
    public static async Task WaitForAsync(string connectionString, int atLeast, CancellationToken cancellationToken, WorkerProcess? worker = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var deadline = TimeProvider.System.GetTimestamp() + (120 * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Assert.False(worker?.HasExited == true, "the worker exited on its own:\n" + worker?.Tail);
            var rows = await connection.QuerySingleAsync<long>(new CommandDefinition("select count(*) from safeguard.classifications", cancellationToken: cancellationToken));
            if (rows >= atLeast)
            {
                return;
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"only {rows} of {atLeast} rows after 120 s:\n{worker?.Tail}");
            await Task.Delay(100, cancellationToken);
        }
    }
}
