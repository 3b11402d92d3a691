using Dapper;
using Npgsql;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>Waits for the worker's rows in <c>safeguard.classifications</c>, failing with what it saw after 120 s.</summary>
internal static class AuditRows
{
    public static Task WaitForAsync(string connectionString, int atLeast, CancellationToken cancellationToken, WorkerProcess? worker = null) =>
        WaitForAsync(connectionString, atLeast, () => worker?.HasExited == true ? "the worker exited on its own:\n" + worker.Tail : null, () => worker?.Tail, cancellationToken);

    /// <summary>
    /// As above for workers of any kind: <paramref name="failure"/> names a reason to stop waiting (null while all is
    /// well), <paramref name="describe"/> what the workers did, for the message when the rows do not come.
    /// </summary>
    public static async Task WaitForAsync(string connectionString, int atLeast, Func<string?> failure, Func<string?> describe, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var deadline = TimeProvider.System.GetTimestamp() + (120 * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            if (failure() is { } problem)
            {
                Assert.Fail(problem);
            }

            var rows = await connection.QuerySingleAsync<long>(new CommandDefinition("select count(*) from safeguard.classifications", cancellationToken: cancellationToken));
            if (rows >= atLeast)
            {
                return;
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"only {rows} of {atLeast} rows after 120 s:\n{describe()}");
            await Task.Delay(100, cancellationToken);
        }
    }
}
