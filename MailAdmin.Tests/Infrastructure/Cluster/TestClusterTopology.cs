using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Tests.Infrastructure.Cluster;

/// <summary>
/// What one node knows of its distributed domain, set by the test: its role, the master, its
/// peers (whose ports are known only once they have started), and the peers' return.
/// </summary>
public sealed class TestClusterTopology(NodeRole role, string? masterName) : IClusterTopology, IPeerRegistry
{
    private readonly Lock _lock = new();
    private IReadOnlyList<PeerNode> _peers = [];

    public NodeRole Role { get; set; } = role;

    public string? MasterName { get; set; } = masterName;

    public IReadOnlyList<PeerNode> Peers
    {
        get
        {
            lock (_lock)
            {
                return _peers;
            }
        }
    }

    public event EventHandler<PeerEventArgs>? PeerReturned;

    public PeerNode? FindPeer(string nodeName) =>
        Peers.FirstOrDefault(p => string.Equals(p.Name, nodeName, StringComparison.OrdinalIgnoreCase));

    public bool IsTrustedPeer(string nodeName, string thumbprint) =>
        FindPeer(nodeName) is { } peer && string.Equals(peer.CertificateThumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds <paramref name="peer"/>, or replaces the one of the same name (a node that came back on another port).</summary>
    public void SetPeer(PeerNode peer)
    {
        lock (_lock)
        {
            _peers = [.. _peers.Where(p => !string.Equals(p.Name, peer.Name, StringComparison.OrdinalIgnoreCase)), peer];
        }
    }

    /// <summary>What the distributed domain does when a node answers again.</summary>
    public void RaisePeerReturned(string nodeName) => PeerReturned?.Invoke(this, new PeerEventArgs(nodeName));
}
