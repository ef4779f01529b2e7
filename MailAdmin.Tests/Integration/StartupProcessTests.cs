using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailAdmin.Tests.Integration;

/// <summary>The node as a separate OS process, started the way an administrator starts it.</summary>
public sealed class StartupProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-proc-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("--Cluster:Port=abc", "Cluster:Port")]
    [InlineData("--Smtp:Port=70000", "Smtp:Port")]
    [InlineData("--Smtp:SubmissionPort=-1", "Smtp:SubmissionPort")]
    [InlineData("--Smtp:RelayHost=relay.example.com:notaport", "Smtp:RelayHost")]
    [InlineData("--Node:Name=bad name!", "Node:Name")]
    [InlineData("--Admin:InitialPassword=short", "Admin:InitialPassword")]
    [InlineData("--urls=not-a-url", "--urls")]
    public async Task Start_WithABadOption_StopsWithOneLineNamingIt(string option, string setting)
    {
        var result = await RunNodeAsync([$"--Node:DataDir={_dataDir}", option]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Invalid setting {setting}:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAnUnwritableDataDir_StopsNamingNodeDataDir()
    {
        // A path below a regular file cannot be created, even by root.
        var file = Path.GetTempFileName();
        try
        {
            var result = await RunNodeAsync([$"--Node:DataDir={file}/data"]);

            Assert.Equal(2, result.ExitCode);
            var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("Invalid setting Node:DataDir:", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Start_WithABadOptionFromTheEnvironment_StopsNamingIt()
    {
        var result = await RunNodeAsync([$"--Node:DataDir={_dataDir}"], ("Cluster__Port", "port"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Invalid setting Cluster:Port:", result.StdErr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnAPortInUse_StopsNamingUrls()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RunNodeAsync([$"--Node:DataDir={_dataDir}", $"--urls=http://127.0.0.1:{port}"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Invalid setting --urls:", result.StdErr.Trim(), StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), result.StdErr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    internal static async Task<(int ExitCode, string StdOut, string StdErr)> RunNodeAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MailAdmin.Web.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The node did not stop within 60 s: {await stdout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
