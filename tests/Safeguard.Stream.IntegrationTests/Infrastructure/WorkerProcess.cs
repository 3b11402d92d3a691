using System.Collections.Concurrent;
using System.Diagnostics;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>
/// The real <c>safeguard</c> worker as a child process (built beside the tests), configured through the environment
/// exactly as in production. <see cref="Kill"/> sends SIGKILL: no shutdown hook runs, nothing is flushed.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _everything = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote to stdout and stderr, for tests that inspect the logs.</summary>
    public string AllOutput => string.Join('\n', _everything);

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Tail => string.Join('\n', _output.TakeLast(40));

    public static WorkerProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "safeguard.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment.Remove("SAFEGUARD_LLM_URL");
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the worker"));
    }

    /// <summary>The exit code once the process has exited and its output is read, or null if it runs past <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_everything.Count < 200_000)
        {
            _everything.Enqueue(line);
        }

        _output.Enqueue(line.Length > 400 ? line[..400] : line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
