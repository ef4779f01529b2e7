using MailAdmin.Tests.Infrastructure;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Migration;

/// <summary>
/// hq (the master, copying at 300 KB/s) and ny of one distributed domain, each a separate OS
/// process, with slapd's New York users homed on ny. The cases of <see cref="MigrationCrashTests"/>
/// kill and restart these nodes; each moves a user of its own.
/// </summary>
public sealed class MigrationCrashCluster : IAsyncLifetime
{
    /// <summary>slapd's users whose home is ny (<c>l=New York</c>).</summary>
    public static readonly string[] NewYorkUsers = ["bob.smith@company.com", "dan.brown@company.com", "john.smith@company.com"];

    private readonly SlapdFixture _slapd = new();

    public NodeProcess Hq { get; private set; } = default!;

    public NodeProcess Ny { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        _ = NodeProcess.WebDll; // Fails at once, naming the build, when the node was not built.
        try
        {
            await _slapd.InitializeAsync();
            string[] args = [.. NodeArgs, "--Logging:LogLevel:Default=Warning"];
            Task<NodeProcess>[] starting =
            [
                NodeProcess.StartAsync("hq", [.. args, "--Migration:ReserveMegabytes=0", "--Migration:MaxKilobytesPerSecond=300"]),
                NodeProcess.StartAsync("ny", args),
            ];
            await Task.WhenAll(starting.Cast<Task>()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Hq = starting[0].IsCompletedSuccessfully ? await starting[0] : null!;
            Ny = starting[1].IsCompletedSuccessfully ? await starting[1] : null!;
            await Task.WhenAll(starting);

            using var hqAdmin = await Hq.SignedInClientAsync();
            using var nyAdmin = await Ny.SignedInClientAsync();
            await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
            await SyncAsync(hqAdmin);
            await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
            await SyncAsync(nyAdmin);
            await ConnectOkAsync(nyAdmin, Hq.MasterHost);
            try
            {
                // Two processes on two loaded cores: replication's first rounds can take a while.
                await EventuallyAsync(
                    async () =>
                    {
                        var homes = await HomesAsync(hqAdmin);
                        return NewYorkUsers.All(user => homes.GetValueOrDefault(user) == "ny");
                    },
                    "hq knows the New York users live on ny",
                    TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}{Environment.NewLine}hq said:{Environment.NewLine}{Hq.RecentOutput()}{Environment.NewLine}ny said:{Environment.NewLine}{Ny.RecentOutput()}", e);
            }
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails: stop slapd and the nodes here.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Ny is not null)
        {
            await Ny.DisposeAsync();
        }

        if (Hq is not null)
        {
            await Hq.DisposeAsync();
        }

        await _slapd.DisposeAsync();
    }
}
