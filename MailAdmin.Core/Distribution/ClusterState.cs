using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// The node's standing in its distributed domain, kept in memory from the node
/// database: role, master, members. Peer authentication and mail routing read it.
/// </summary>
public sealed class ClusterState : IClusterTopology, IPeerRegistry
{
    private volatile Snapshot _current = Snapshot.Standalone;

    public NodeRole Role => _current.Role;

    public string? MasterName => _current.MasterName;

    public IReadOnlyList<PeerNode> Peers => _current.Peers;

    public event EventHandler<PeerEventArgs>? PeerReturned;

    /// <summary>Raised when the node's role or master changes (a join, a leave, the first slave), so open consoles redraw.</summary>
    public event EventHandler? RoleChanged;

    public PeerNode? FindPeer(string nodeName) =>
        _current.Peers.FirstOrDefault(p => string.Equals(p.Name, nodeName, StringComparison.OrdinalIgnoreCase));

    public bool IsTrustedPeer(string nodeName, string thumbprint)
    {
        var current = _current;
        return !current.Revoked.Contains(thumbprint)
            && current.Peers.Any(p => string.Equals(p.Name, nodeName, StringComparison.OrdinalIgnoreCase)
                && string.Equals(p.CertificateThumbprint, thumbprint, StringComparison.OrdinalIgnoreCase));
    }

    internal void Publish(NodeRole role, string? masterName, IReadOnlyList<PeerNode> peers, IReadOnlySet<string> revoked)
    {
        var before = _current;
        _current = new Snapshot(role, masterName, peers, revoked);
        if (before.Role != role || before.MasterName != masterName)
        {
            RoleChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    internal void RaisePeerReturned(string nodeName) => PeerReturned?.Invoke(this, new PeerEventArgs(nodeName));

    private sealed record Snapshot(NodeRole Role, string? MasterName, IReadOnlyList<PeerNode> Peers, IReadOnlySet<string> Revoked)
    {
        public static readonly Snapshot Standalone = new(NodeRole.Standalone, null, [], new HashSet<string>());
    }
}
