using System.Diagnostics;
using System.Text;

namespace Safeguard.Stream.Fakes;

/// <summary>Result of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Where a child process runs and what it sees of the environment.</summary>
public sealed record ProcessRunOptions
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for the child, over what it inherits.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Inherited variables the child must not see (e.g. a developer's <c>SAFEGUARD_LLM_URL</c>).</summary>
    public IReadOnlyList<string> RemovedEnvironment { get; init; } = [];
}

/// <summary>
/// Runs short-lived programs to their end and captures their output: the cluster's helpers (initdb, pg_ctl, psql, the real wiki's php maintenance scripts) and
/// every test's child processes (the built <c>safeguard</c> CLI, kcat, helm). One bounded run, one way to time out.
/// </summary>
public static class ProcessRunner
{
    /// <summary>
    /// Starts a long-running program (a server) in the background. Its stdout and stderr are appended to
    /// <paramref name="logPath"/>; stdin is closed. The caller owns the returned process and stops it by its id.
    /// </summary>
    public static Process StartBackground(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var closed = false;
        void Write(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    if (!closed)
                    {
                        log.WriteLine(e.Data);
                    }
                }
            }
        }

        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Exited += (_, _) =>
        {
            // Let the pumps drain before the writer goes.
            process.WaitForExit();
            lock (log)
            {
                closed = true;
                log.Dispose();
            }
        };
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> and waits for it to exit.
    /// Stdin is closed at once so that nothing waits on a prompt.
    /// </summary>
    public static Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct = default) =>
        RunAsync(fileName, arguments, new ProcessRunOptions(), timeout, ct);

    /// <summary>As the other overload, in <paramref name="options"/>' working directory and environment. A run past
    /// <paramref name="timeout"/> is killed (its whole tree) and throws <see cref="TimeoutException"/>.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, ProcessRunOptions options, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(options);
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory is { } directory)
        {
            psi.WorkingDirectory = directory;
        }

        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in options.RemovedEnvironment)
        {
            psi.Environment.Remove(name);
        }

        foreach (var (key, value) in options.Environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };

        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            if (ct.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException(
                $"'{fileName} {string.Join(' ', psi.ArgumentList)}' did not finish within {timeout}. stderr: {stderr}");
        }

        string outText, errText;
        lock (stdout)
        {
            outText = stdout.ToString();
        }

        lock (stderr)
        {
            errText = stderr.ToString();
        }

        return new ProcessResult(process.ExitCode, outText, errText);
    }
}
