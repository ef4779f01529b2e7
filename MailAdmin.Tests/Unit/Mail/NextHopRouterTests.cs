using MailAdmin.Core.Distribution;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Nodes;
using MailAdmin.Tests.Infrastructure.Cluster;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class NextHopRouterTests
{
    private static readonly PeerNode Hq = new("hq", "hq.company.com", 44337, 25, "https://hq.company.com/", IsMaster: true, "aa", "bb");
    private static readonly PeerNode Seattle = new("seattle", "sea.company.com", 44337, 25, "https://sea.company.com/", IsMaster: false, "cc", "dd");

    [Fact]
    public void ForMailbox_HomeIsThisNode_IsLocal()
    {
        var router = Router(NodeRole.Slave, "hq", relayViaMaster: true);

        Assert.Equal(NextHop.Local, router.ForMailbox(Mailbox("NewYork")));
        Assert.Equal("local", router.ForMailbox(Mailbox("newyork")).Key);
    }

    [Fact]
    public void ForMailbox_HomeIsAnotherNode_IsThatNode()
    {
        var hop = Router(NodeRole.Slave, "hq", relayViaMaster: true).ForMailbox(Mailbox("Seattle"));

        Assert.Equal((HopKind.Peer, "Seattle", Seattle), (hop.Kind, hop.Target, hop.Peer));
        Assert.Equal("node:seattle", hop.Key);
        Assert.Equal(NextHop.NodeKey("SEATTLE"), hop.Key);
    }

    [Fact]
    public void ForMailbox_HomeIsNoKnownNode_IsThatNodeWithoutAnAddress_SoTheMailWaitsForIt()
    {
        var hop = Router(NodeRole.Master, "hq", relayViaMaster: true).ForMailbox(Mailbox("tokyo"));

        Assert.Equal((HopKind.Peer, "tokyo", (PeerNode?)null), (hop.Kind, hop.Target, hop.Peer));
        Assert.Equal("node:tokyo", hop.Key);
    }

    [Fact]
    public void ForMailbox_OnAStandaloneNode_IsAlwaysLocal_AsBeforeDistributedDomains()
    {
        Assert.Equal(NextHop.Local, Router(NodeRole.Standalone, null, relayViaMaster: true).ForMailbox(Mailbox("seattle")));
    }

    [Fact]
    public void ForExternal_OnASlaveRelayingViaTheMaster_IsTheMaster()
    {
        var hop = Router(NodeRole.Slave, "hq", relayViaMaster: true).ForExternal("example.org");

        Assert.Equal((HopKind.Peer, "hq", Hq), (hop.Kind, hop.Target, hop.Peer));
        Assert.Equal("node:hq", hop.Key);
    }

    [Fact]
    public void ForExternal_OnASlaveNotRelayingViaTheMaster_IsTheInternet()
    {
        var hop = Router(NodeRole.Slave, "hq", relayViaMaster: false).ForExternal("Example.org");

        Assert.Equal((HopKind.Internet, "Example.org"), (hop.Kind, hop.Target));
        Assert.Equal("internet:example.org", hop.Key);
    }

    [Theory]
    [InlineData(NodeRole.Master)]
    [InlineData(NodeRole.Standalone)]
    public void ForExternal_OnTheMasterOrAStandaloneNode_IsTheInternet(NodeRole role)
    {
        Assert.Equal(HopKind.Internet, Router(role, role == NodeRole.Master ? "newyork" : null, relayViaMaster: true).ForExternal("example.org").Kind);
    }

    [Fact]
    public void ForExternal_OnASlaveWhoseMasterIsNotKnownYet_WaitsForTheMaster()
    {
        var topology = new TestClusterTopology(NodeRole.Slave, "hq");
        var hop = new NextHopRouter(topology, new ClusterOptions { Port = 0 }, Node).ForExternal("example.org");

        Assert.Equal((HopKind.Peer, "hq", (PeerNode?)null), (hop.Kind, hop.Target, hop.Peer));
    }

    private static NodeOptions Node => new() { Name = "newyork", PublicHost = "ny.company.com", DataDir = "/nonexistent" };

    private static NextHopRouter Router(NodeRole role, string? master, bool relayViaMaster)
    {
        var topology = new TestClusterTopology(role, master);
        if (role != NodeRole.Standalone)
        {
            topology.SetPeer(Hq);
            topology.SetPeer(Seattle);
        }

        return new NextHopRouter(topology, new ClusterOptions { Port = 0, RelayViaMaster = relayViaMaster }, Node);
    }

    private static RecipientTarget.Mailbox Mailbox(string home) =>
        new(1, "ann@company.com", "company.com", "ann", Enabled: true, Removed: false, home);
}
