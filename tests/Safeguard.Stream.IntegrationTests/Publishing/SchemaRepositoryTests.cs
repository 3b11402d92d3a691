using System.Diagnostics;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// Wikimedia's own repository tests for schema repositories (@wikimedia/jsonschema-tools: structure, robustness,
/// compatibility) over schemas/, run through scripts/schemas.sh so `make test` covers them as `make lint` does.
/// </summary>
public sealed class SchemaRepositoryTests
{
    [Fact]
    public async Task JsonschemaToolsRepositoryTests_OverSchemasFolder_Pass()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryRoot();
        var start = new ProcessStartInfo(Path.Combine(root, "scripts", "schemas.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add("check");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"scripts/schemas.sh check exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        Assert.Contains("passing", await stdout, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "schemas", "package.json")) && File.Exists(Path.Combine(dir.FullName, "scripts", "schemas.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no repository root with schemas/package.json above {AppContext.BaseDirectory}");
    }
}
