using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps the log lines of in-process worker hosts in memory, labelled per host, so a failing test can say what the
/// workers did (partition assignments, librdkafka's group protocol) instead of only that rows are missing.
/// </summary>
internal sealed class CapturedLogs
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly long _started = TimeProvider.System.GetTimestamp();

    /// <summary>The last <paramref name="count"/> lines of every host, in the order they were written.</summary>
    public string Tail(int count) => string.Join('\n', _lines.TakeLast(count));

    public ILoggerProvider For(string host) => new Provider(this, host);

    private void Add(string host, LogLevel level, string category, string message)
    {
        var elapsed = TimeProvider.System.GetElapsedTime(_started).TotalSeconds;
        _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{elapsed,7:F2}s {host} {level} {category}: {message}"));
    }

    private sealed class Provider(CapturedLogs logs, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs, host, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(CapturedLogs logs, string host, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            logs.Add(host, logLevel, category, formatter(state, exception) + (exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message));
        }
    }
}
