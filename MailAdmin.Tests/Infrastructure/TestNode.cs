using System.Net;
using System.Net.Http.Json;
using MailAdmin.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// One real node, in this process, on 127.0.0.1 with a port of the
/// system's choosing and a temporary data directory of its own. It can be
/// stopped and started again on the same data, as a restart would.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    public const string AdminPassword = "Initial-Secret-1";

    private readonly List<string> _args;
    private readonly bool _ownsDataDir;
    private WebApplication? _app;

    private TestNode(string name, string dataDir, IEnumerable<string> args, bool ownsDataDir)
    {
        Name = name;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _args = [.. args];
    }

    public string Name { get; }

    public string DataDir { get; }

    /// <summary>The console's address, such as http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The peer port (gRPC, mutual TLS) on 127.0.0.1.</summary>
    public int PeerPort { get; private set; }

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException($"Node {Name} is not running.");

    /// <summary>What the node logged since it last started.</summary>
    public FakeLogCollector Logs { get; private set; } = new();

    public bool IsRunning => _app is not null;

    /// <summary>Replaces services before each start (a fake clock, say); null for none.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Starts a node; arguments are the command line's (<c>--Admin:InitialPassword=...</c>).</summary>
    public static Task<TestNode> StartAsync(string name = "node1", params string[] args) => StartAsync(name, configureServices: null, args);

    /// <summary>Starts a node with some of its services replaced (a fake clock, a transport).</summary>
    public static async Task<TestNode> StartAsync(string name, Action<IServiceCollection>? configureServices, params string[] args)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-test-{name}-{Guid.NewGuid():N}");
        var defaults = args.Any(a => a.StartsWith("--Admin:InitialPassword", StringComparison.Ordinal))
            ? args
            : [$"--Admin:InitialPassword={AdminPassword}", .. args];
        var node = new TestNode(name, dataDir, defaults, ownsDataDir: true) { ConfigureServices = configureServices };
        await node.StartAsync();
        return node;
    }

    public async Task StartAsync(params string[] extraArgs)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException($"Node {Name} is running already.");
        }

        Logs = new FakeLogCollector();
        var collector = Logs;
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Node:Name={Name}",
            "--Node:PublicHost=127.0.0.1",
            $"--Node:DataDir={DataDir}",
            "--Cluster:Port=0",
            "--Cluster:ListenAddress=127.0.0.1",
            "--Smtp:Port=0",
            "--Smtp:SubmissionPort=0",
            "--Smtp:ListenAddress=127.0.0.1",
            .. _args,
            .. extraArgs,
        ];
        var app = NodeHost.Create(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddProvider(new FakeLoggerProvider(collector));

            // Open console circuits (WebSockets) would hold a stop for the default 30 s.
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            ConfigureServices?.Invoke(builder.Services);
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        PeerPort = app.Services.GetRequiredService<PeerEndpoint>().Port;
        var address = app.Urls.Single(url => new Uri(url).Port != PeerPort);
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        var app = _app;
        _app = null;
        await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await app.DisposeAsync();
    }

    /// <summary>Stops the node and starts it again on the same data directory.</summary>
    public async Task RestartAsync(params string[] extraArgs)
    {
        await StopAsync();
        await StartAsync(extraArgs);
    }

    /// <summary>An HTTP client that keeps cookies, like a browser or a script would.</summary>
    /// <remarks>Cookies belong to a host, not a port: a container keeps working across a restart on a new port.</remarks>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A client already signed in through <c>POST /api/v1/session</c>.</summary>
    public async Task<HttpClient> SignedInClientAsync(string username = "admin", string password = AdminPassword, CookieContainer? cookies = null)
    {
        var client = CreateClient(cookies);
        var response = await client.PostAsJsonAsync("api/v1/session", new { username, password });
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Sign-in as {username} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await DeleteDataDirAsync();
        }
    }

    /// <summary>
    /// Removes the data folder. A migration's last clean-up may still be deleting a folder inside
    /// it as the host stops, and a recursive delete that meets a file vanishing under it fails: try again.
    /// </summary>
    private async Task DeleteDataDirAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 10)
            {
                if (!Directory.Exists(DataDir))
                {
                    return;
                }

                await Task.Delay(100 * attempt);
            }
        }
    }
}
