using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// One real node as its own OS process (<c>dotnet MailAdmin.Web.dll</c>, the test's build
/// output), so a test can kill it with SIGKILL, which no in-process node allows. Its ports are
/// chosen free once, when the object is made, and kept: a restart listens where the node's peers
/// already look for it, on the same data directory, as a real server coming back would.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string AdminPassword = TestNode.AdminPassword;

    private const int OutputLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly string[] _args;
    private readonly Queue<string> _output = new();
    private readonly Lock _outputLock = new();
    private Process? _process;

    private NodeProcess(string name, string[] args)
    {
        Name = name;
        _args = args;
        DataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-proc-{name}-{Guid.NewGuid():N}");
        HttpPort = FreePort();
        PeerPort = FreePort();
        SmtpPort = FreePort();
        SubmissionPort = FreePort();
    }

    public string Name { get; }

    public string DataDir { get; }

    public int HttpPort { get; }

    /// <summary>The peer (gRPC, mutual TLS) port on 127.0.0.1.</summary>
    public int PeerPort { get; }

    /// <summary>The incoming SMTP port on 127.0.0.1, where other nodes forward mail too.</summary>
    public int SmtpPort { get; }

    public int SubmissionPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What a slave's administrator types as the master's host in the wizard.</summary>
    public string MasterHost => $"127.0.0.1:{PeerPort.ToString(CultureInfo.InvariantCulture)}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The build output the node runs from: the test's own, which references MailAdmin.Web.</summary>
    public static string WebDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "MailAdmin.Web.dll");
            return File.Exists(dll)
                ? dll
                : throw new InvalidOperationException($"{dll} is missing: build the solution first (`dotnet build MailAdmin.sln`).");
        }
    }

    /// <summary>Starts a node on new free ports and a new data directory; arguments are the command line's.</summary>
    public static async Task<NodeProcess> StartAsync(string name, params string[] args)
    {
        var node = new NodeProcess(name, args);
        try
        {
            await node.StartAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node (again) and waits until it answers <c>/healthz</c> and accepts SMTP connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"Node {Name} is running already.");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(WebDll);
        string[] args =
        [
            $"--urls={BaseAddress.ToString().TrimEnd('/')}",
            $"--Node:Name={Name}",
            "--Node:PublicHost=127.0.0.1",
            $"--Node:DataDir={DataDir}",
            $"--Cluster:Port={PeerPort}",
            "--Cluster:ListenAddress=127.0.0.1",
            $"--Smtp:Port={SmtpPort}",
            $"--Smtp:SubmissionPort={SubmissionPort}",
            "--Smtp:ListenAddress=127.0.0.1",
            $"--Admin:InitialPassword={AdminPassword}",
            .. _args,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start node {Name}.");
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilServingAsync(process);
    }

    /// <summary>SIGKILL on Linux: no shutdown code of the node runs, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }

        await process.WaitForExitAsync();
    }

    /// <summary>A client signed in as <c>admin</c> through <c>POST /api/v1/session</c>.</summary>
    public async Task<HttpClient> SignedInClientAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = AdminPassword });
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            client.Dispose();
            throw new InvalidOperationException($"Sign-in to {Name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    /// <summary>The files in the <c>new/</c> folder of <paramref name="address"/>'s Maildir on this node.</summary>
    public string[] Inbox(string address)
    {
        var at = address.LastIndexOf('@');
        var folder = Path.Combine(DataDir, "mail", address[(at + 1)..], address[..at], "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    /// <summary>The node's last lines of console output, for a failing test's message.</summary>
    public string RecentOutput()
    {
        lock (_outputLock)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    private async Task WaitUntilServingAsync(Process process)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"Node {Name} exited with code {process.ExitCode} while starting:{Environment.NewLine}{RecentOutput()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, SmtpPort);
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (elapsed.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"Node {Name} did not serve within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{RecentOutput()}");
            }

            await Task.Delay(100);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
