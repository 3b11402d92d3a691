using System.Diagnostics;
using System.Globalization;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// The real <c>safeguard</c> worker as a child process (the published binary), configured through the environment as
/// in production. A sampler reads the process's own CPU time (<c>/proc/PID/stat</c> utime + stime) and peak resident
/// memory (<c>VmHWM</c> in <c>/proc/PID/status</c>) every 100 ms, so what is measured is the worker alone — the
/// simulator, fixture servers, Kafka mock and Postgres run in other processes or in the benchmark's own.
/// </summary>
internal sealed class WorkerRun : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;
    private readonly List<(long Timestamp, double CpuSeconds)> _cpu = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly List<string> _tail = [];

    private WorkerRun(Process process, int metricsPort)
    {
        _process = process;
        MetricsPort = metricsPort;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _sampler = Task.Run(SampleAsync, CancellationToken.None);
    }

    public int MetricsPort { get; }

    public int ProcessId => _process.Id;

    public double PeakRssMb { get; private set; }

    public bool HasExited => _process.HasExited;

    public string Tail
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _tail.TakeLast(30));
            }
        }
    }

    public static WorkerRun Start(string worker, IEnumerable<string> args, IReadOnlyDictionary<string, string?> settings)
    {
        var port = LocalResources.FreePort();
        var start = new ProcessStartInfo(worker)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(worker))!,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Safeguard__Telemetry__HealthPort"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Safeguard__Telemetry__HealthHost"] = "127.0.0.1";
        start.Environment.Remove("SAFEGUARD_LLM_URL");
        return new WorkerRun(Process.Start(start) ?? throw new InvalidOperationException("could not start " + worker), port);
    }

    /// <summary>Runs a short command of the worker (e.g. <c>db migrate</c>) to completion.</summary>
    public static async Task RunToExitAsync(string worker, IEnumerable<string> args, IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        await using var run = Start(worker, args, settings);
        await run._process.WaitForExitAsync(ct);
        if (run._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{worker} {string.Join(' ', args)} exited {run._process.ExitCode}:\n{run.Tail}");
        }
    }

    /// <summary>Waits until <c>/alive</c> answers.</summary>
    public async Task WaitAliveAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("the worker exited during start-up:\n" + Tail);
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{MetricsPort}/alive"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // slow start
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("the worker did not answer /alive:\n" + Tail);
    }

    /// <summary>The worker's Prometheus exposition (<c>/metrics</c> on the health port).</summary>
    public async Task<string> ScrapeMetricsAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{MetricsPort}/metrics"), ct);
    }

    /// <summary>CPU seconds the worker had used at <paramref name="timestamp"/> (linear between samples).</summary>
    public double CpuSecondsAt(long timestamp)
    {
        lock (_gate)
        {
            if (_cpu.Count == 0)
            {
                return 0;
            }

            for (var i = 1; i < _cpu.Count; i++)
            {
                if (_cpu[i].Timestamp >= timestamp)
                {
                    var (t0, c0) = _cpu[i - 1];
                    var (t1, c1) = _cpu[i];
                    var f = t1 == t0 ? 1 : Math.Clamp((double)(timestamp - t0) / (t1 - t0), 0, 1);
                    return c0 + (f * (c1 - c0));
                }
            }

            return _cpu[^1].CpuSeconds;
        }
    }

    public double CpuSecondsTotal
    {
        get
        {
            lock (_gate)
            {
                return _cpu.Count == 0 ? 0 : _cpu[^1].CpuSeconds;
            }
        }
    }

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _stop.CancelAsync();
        try
        {
            await _sampler;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
        _process.Dispose();
    }

    private async Task SampleAsync()
    {
        var pid = _process.Id;
        while (!_stop.IsCancellationRequested && !_process.HasExited)
        {
            try
            {
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat", _stop.Token);
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After the command name: field 3 is index 0, so utime (14) is index 11 and stime (15) index 12.
                var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                var status = await File.ReadAllLinesAsync($"/proc/{pid}/status", _stop.Token);
                var hwm = status.FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                lock (_gate)
                {
                    _cpu.Add((Stopwatch.GetTimestamp(), cpu));
                    if (hwm is not null)
                    {
                        var kb = double.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                        PeakRssMb = Math.Max(PeakRssMb, kb / 1024);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // exiting
            }

            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _tail.Add(line.Length > 400 ? line[..400] : line);
            if (_tail.Count > 200)
            {
                _tail.RemoveRange(0, 100);
            }
        }
    }
}
