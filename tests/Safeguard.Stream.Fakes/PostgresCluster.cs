using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// A throwaway PostgreSQL 15 cluster: <c>initdb</c> + <c>pg_ctl</c> in a private directory, listening on 127.0.0.1 only,
/// trust authentication, durability switched off for speed. The postmaster is its own process (started by pg_ctl),
/// so it is stopped explicitly by <see cref="DisposeAsync"/> or <see cref="StopDirectoryAsync"/>.
/// </summary>
/// <remarks>
/// When the current user is root, initdb/pg_ctl refuse to run, so they run as the <c>postgres</c> user through
/// <c>runuser</c> and the directory is chowned to it. As any other user they run directly.
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private const string DefaultBinDir = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _binDir;
    private readonly bool _deleteDirectoryOnDispose;
    private int _disposed;

    private PostgresCluster(string binDir, string directory, int port, bool deleteDirectoryOnDispose)
    {
        _binDir = binDir;
        Directory = directory;
        Port = port;
        _deleteDirectoryOnDispose = deleteDirectoryOnDispose;
    }

    /// <summary>TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The cluster's root directory (holds <c>data/</c>, <c>socket/</c> and <c>postgres.log</c>).</summary>
    public string Directory { get; }

    /// <summary>PGDATA.</summary>
    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>Server log written by the postmaster.</summary>
    public string LogFile => Path.Combine(Directory, "postgres.log");

    /// <summary>Connection string for the <c>postgres</c> database as superuser <c>postgres</c>.</summary>
    public string ConnectionString => BuildConnectionString("postgres");

    /// <summary>Starts a cluster in a fresh temporary directory, deleted again by <see cref="DisposeAsync"/>.</summary>
    /// <param name="port">TCP port; 0 picks a free one.</param>
    /// <param name="ct">Cancels the start.</param>
    public static Task<PostgresCluster> StartAsync(int port = 0, CancellationToken ct = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "safeguard-pg-" + Guid.NewGuid().ToString("N")[..12]);
        return StartInDirectoryAsync(dir, port, deleteDirectoryOnDispose: true, ct);
    }

    /// <summary>
    /// Starts a cluster whose files live in <paramref name="directory"/> (wiped first if it exists). Used by
    /// <c>services-up</c>; the postmaster keeps running if this process dies, and
    /// <see cref="StopDirectoryAsync"/> stops it from another process.
    /// </summary>
    public static async Task<PostgresCluster> StartInDirectoryAsync(
        string directory, int port, bool deleteDirectoryOnDispose, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var binDir = await FindBinDirAsync(ct);
        directory = Path.GetFullPath(directory);

        // A leftover cluster from a crashed run would keep the port and the files busy.
        await StopDirectoryAsync(directory, ct);
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(Path.Combine(directory, "socket"));
        await PrepareOwnershipAsync(directory, ct);

        var cluster = new PostgresCluster(binDir, directory, port, deleteDirectoryOnDispose);
        try
        {
            await cluster.InitDbAsync(ct);

            // Port 0: pick a free port; between picking and binding another process may take it, so retry.
            for (var attempt = 1; ; attempt++)
            {
                var chosen = port == 0 ? LocalResources.FreePort() : port;
                cluster = new PostgresCluster(binDir, directory, chosen, deleteDirectoryOnDispose);
                var result = await cluster.PgCtlStartAsync(ct);
                if (result.ExitCode == 0)
                {
                    return cluster;
                }

                if (port != 0 || attempt >= 3)
                {
                    var log = File.Exists(cluster.LogFile) ? await File.ReadAllTextAsync(cluster.LogFile, ct) : "";
                    throw new InvalidOperationException(
                        $"pg_ctl start failed (exit {result.ExitCode}) on port {chosen}: {result.StandardOutput}{result.StandardError}\n{log}");
                }
            }
        }
        catch
        {
            await StopDirectoryAsync(directory, CancellationToken.None);
            if (deleteDirectoryOnDispose)
            {
                LocalResources.TryDeleteDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>
    /// Stops a cluster in <paramref name="directory"/> (one started by <see cref="StartInDirectoryAsync"/>) if its
    /// postmaster still runs. Does nothing when there is none. Safe to call from another process.
    /// </summary>
    public static async Task StopDirectoryAsync(string directory, CancellationToken ct = default)
    {
        var dataDir = Path.Combine(Path.GetFullPath(directory), "data");
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            return;
        }

        var binDir = await FindBinDirAsync(ct);
        await RunPgAsync(binDir, "pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30"], ct);
    }

    /// <summary>Stops the server, keeping its files, so a test can see what a Postgres outage does.</summary>
    public Task StopServerAsync(CancellationToken ct = default) => StopDirectoryAsync(Directory, ct);

    /// <summary>Starts the server again on the same port with the same data, after <see cref="StopServerAsync"/>.</summary>
    public async Task StartServerAsync(CancellationToken ct = default)
    {
        var result = await PgCtlStartAsync(ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl start failed (exit {result.ExitCode}): {result.StandardOutput}{result.StandardError}");
        }
    }

    /// <summary>Creates database <paramref name="name"/> and returns a connection string for it.</summary>
    /// <param name="name">Lower-case letters, digits and underscores only.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        if (!DatabaseNameRegex().IsMatch(name))
        {
            throw new ArgumentException("Database names must match [a-z_][a-z0-9_]{0,62}.", nameof(name));
        }

        var result = await RunPgAsync(
            _binDir,
            "psql",
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-q", "-c", $"CREATE DATABASE \"{name}\""],
            ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"CREATE DATABASE {name} failed: {result.StandardError}");
        }

        return BuildConnectionString(name);
    }

    /// <summary>Connection string for database <paramref name="database"/>.</summary>
    public string BuildConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}");

    /// <summary>Stops the postmaster (<c>pg_ctl stop -m immediate</c>) and deletes the directory if it was temporary.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopDirectoryAsync(Directory, CancellationToken.None);
        if (_deleteDirectoryOnDispose)
        {
            LocalResources.TryDeleteDirectory(Directory);
        }
    }

    private async Task InitDbAsync(CancellationToken ct)
    {
        var result = await RunPgAsync(
            _binDir,
            "initdb",
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed (exit {result.ExitCode}): {result.StandardOutput}{result.StandardError}");
        }

        // Only loopback TCP and the private socket directory; trust is fine because nothing else can reach it.
        var hba = new StringBuilder()
            .AppendLine("local all all trust")
            .AppendLine("host all all 127.0.0.1/32 trust")
            .ToString();
        await WriteAsPostgresAsync(Path.Combine(DataDirectory, "pg_hba.conf"), hba, append: false, ct);
    }

    private async Task<ProcessResult> PgCtlStartAsync(CancellationToken ct)
    {
        // Settings go on the postmaster command line so that a retry with another port needs no file edits.
        var options = string.Join(
            ' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories={Path.Combine(Directory, "socket")}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        return await RunPgAsync(
            _binDir,
            "pg_ctl",
            ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options],
            ct);
    }

    private static async Task<string> FindBinDirAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(DefaultBinDir, "pg_ctl")))
        {
            return DefaultBinDir;
        }

        try
        {
            var result = await ProcessRunner.RunAsync("pg_config", ["--bindir"], TimeSpan.FromSeconds(10), ct);
            var dir = result.StandardOutput.Trim();
            if (result.ExitCode == 0 && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config not installed; fall through to the message below.
        }

        throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) not found in {DefaultBinDir} or via pg_config --bindir. " +
            "Run `make setup`, which installs postgresql (apt-get install -y postgresql).");
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a PostgreSQL program, as user postgres when we are root.</summary>
    private static Task<ProcessResult> RunPgAsync(string binDir, string program, string[] args, CancellationToken ct)
    {
        var exe = Path.Combine(binDir, program);
        return IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], CommandTimeout, ct)
            : ProcessRunner.RunAsync(exe, args, CommandTimeout, ct);
    }

    private static async Task PrepareOwnershipAsync(string directory, CancellationToken ct)
    {
        if (!IsRoot)
        {
            return;
        }

        var chown = await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", directory], CommandTimeout, ct);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown postgres {directory} failed: {chown.StandardError}");
        }

        // The postgres user must be able to reach the directory through every parent.
        var probe = await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", directory], CommandTimeout, ct);
        if (probe.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"User postgres cannot write to {directory}; a parent directory is probably not world-executable.");
        }
    }

    private static async Task WriteAsPostgresAsync(string path, string text, bool append, CancellationToken ct)
    {
        if (append)
        {
            await File.AppendAllTextAsync(path, text, ct);
        }
        else
        {
            await File.WriteAllTextAsync(path, text, ct);
        }

        if (IsRoot)
        {
            await ProcessRunner.RunAsync("chown", ["postgres:postgres", path], CommandTimeout, ct);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNameRegex();
}
