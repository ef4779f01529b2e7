using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>Another node of the distributed domain, as this node last heard of it.</summary>
/// <param name="Name">Its <c>Node:Name</c>.</param>
/// <param name="Host">Its <c>Node:PublicHost</c>.</param>
/// <param name="SmtpThumbprint">SHA-256 (lower-case hex) of the certificate its SMTP listener presents after STARTTLS.</param>
public sealed record PeerNode(
    string Name,
    string Host,
    int ClusterPort,
    int SmtpPort,
    string ConsoleUrl,
    bool IsMaster,
    string CertificateThumbprint,
    string SmtpThumbprint);

public sealed class PeerEventArgs(string nodeName) : EventArgs
{
    public string NodeName { get; } = nodeName;
}

/// <summary>Where this node stands and who its peers are: what mail routing needs to know.</summary>
public interface IClusterTopology
{
    NodeRole Role { get; }

    /// <summary>The master's node name; null while standalone.</summary>
    string? MasterName { get; }

    /// <summary>The other nodes, not this one.</summary>
    IReadOnlyList<PeerNode> Peers { get; }

    PeerNode? FindPeer(string nodeName);

    /// <summary>Raised when a peer that could not be reached answers again, or announces itself after a restart.</summary>
    event EventHandler<PeerEventArgs>? PeerReturned;
}
