using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Mail.Routing;

/// <summary>
/// Picks the next hop of a final recipient (manual §4.1, §4.3; ARCHITECTURE §6):
/// <list type="bullet">
/// <item>a mailbox whose home server is this node, or any mailbox while the node is
/// standalone, is delivered here;</item>
/// <item>a mailbox homed on another node goes straight to that node, peer to peer;</item>
/// <item>external mail on a slave goes to the master when <c>Cluster:RelayViaMaster</c> is on
/// (the default), so one gateway sends and receives everything; otherwise, and on a master or
/// a standalone node, to the Internet as before.</item>
/// </list>
/// A home server no member answers to is still a peer hop, with no <see cref="NextHop.Peer"/>:
/// the mail waits for that node instead of bouncing, since the membership may simply not have
/// reached this node yet.
/// </summary>
public sealed class NextHopRouter(IClusterTopology topology, ClusterOptions cluster, NodeOptions node)
{
    public NextHop ForMailbox(RecipientTarget.Mailbox mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var home = mailbox.HomeServer;
        if (topology.Role == NodeRole.Standalone || string.IsNullOrEmpty(home) || string.Equals(home, node.Name, StringComparison.OrdinalIgnoreCase))
        {
            return NextHop.Local;
        }

        return NextHop.ToPeer(home, topology.FindPeer(home));
    }

    public NextHop ForExternal(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (topology.Role == NodeRole.Slave && cluster.RelayViaMaster && topology.MasterName is { Length: > 0 } master)
        {
            return NextHop.ToPeer(master, topology.FindPeer(master));
        }

        return NextHop.ToInternet(domain);
    }
}
