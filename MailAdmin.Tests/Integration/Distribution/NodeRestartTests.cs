using MailAdmin.Core.Distribution;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>
/// A node that starts again knows its place in the distributed domain before it handles any
/// mail: what is due in its queue the moment its delivery agent starts goes to the recipient's
/// home server, never into a mailbox of the same name here. Alice lives on hq, Bob on ny.
/// </summary>
/// <remarks>
/// On a loaded machine the host may take a while between starting the delivery agent and the
/// services after it. The tests make that gap explicit: mail is queued and delivered while the
/// restarting node has started its SMTP listeners and delivery agent but not yet replication.
/// </remarks>
public sealed class NodeRestartTests : IAsyncLifetime
{
    private const string Alice = "alice.novak@company.com";
    private const string Bob = "bob.smith@company.com";

    private readonly SlapdFixture _slapd = new();
    private TestNode _hq = default!;
    private TestNode _ny = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", NodeArgs);
        _ny = await TestNode.StartAsync("ny", NodeArgs);
        using var hqAdmin = await _hq.SignedInClientAsync();
        using var nyAdmin = await _ny.SignedInClientAsync();
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(hqAdmin);
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await ConnectOkAsync(nyAdmin, _hq);
        foreach (var admin in new[] { hqAdmin, nyAdmin })
        {
            await EventuallyAsync(async () =>
            {
                var homes = await HomesAsync(admin);
                return homes.GetValueOrDefault(Bob) == "ny" && homes.GetValueOrDefault(Alice) == "hq";
            }, "both nodes know both homes");
        }
    }

    public async Task DisposeAsync()
    {
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Theory]
    [InlineData("hq", Bob)]
    [InlineData("ny", Alice)]
    public async Task MailDueAsTheNodeStarts_GoesToTheRecipientsHomeServer_NotIntoAMailboxHere(string restarting, string recipient)
    {
        var (node, home) = restarting == "hq" ? (_hq, _ny) : (_ny, _hq);
        string? queueId = null;
        node.ConfigureServices = services => BeforeReplicationStarts(services, async provider =>
        {
            queueId = await provider.EnqueueAsync("partner@example.org", [recipient], subject: "Due at start");
            var queue = provider.GetRequiredService<MailQueue>();
            await MailTestExtensions.WaitUntilAsync(() => queue.Get(queueId) is null, $"{restarting} has delivered the message queued as it started", TimeSpan.FromSeconds(20));
        });

        await node.RestartAsync();

        Assert.NotNull(queueId);
        Assert.True(node.Inbox(recipient).Length == 0, $"{restarting} delivered the mail for {recipient} into its own mailbox as it started, not to {home.Name}, the home server.");
        Assert.Single(await home.WaitForInboxAsync(recipient, 1));
        Assert.Equal(restarting == "hq" ? "master" : "slave", await RoleAsync(await node.SignedInClientAsync()));
    }

    /// <summary>
    /// Runs <paramref name="hook"/> while the node starts, after every hosted service added
    /// before replication has started (the queue, the SMTP listeners, the delivery agent) and
    /// before replication itself starts.
    /// </summary>
    private static void BeforeReplicationStarts(IServiceCollection services, Func<IServiceProvider, Task> hook)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is { ServiceType: var type, IsKeyedService: false, ImplementationFactory: { } factory } && type == typeof(IHostedService))
            {
                services[i] = ServiceDescriptor.Singleton<IHostedService>(provider =>
                {
                    var service = (IHostedService)factory(provider);
                    return service is Replication ? new Hooked(service, () => hook(provider)) : service;
                });
            }
        }
    }

    private sealed class Hooked(IHostedService inner, Func<Task> before) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await before();
            await inner.StartAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);
    }
}
