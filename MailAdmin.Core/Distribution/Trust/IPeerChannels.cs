using MailAdmin.Core.Distribution.Protocol;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>Clients of other nodes' peer ports, always over TLS.</summary>
public interface IPeerChannels
{
    /// <summary>
    /// A client of a member's peer port: mutual TLS with this node's certificate; the server's
    /// certificate must chain to the trusted CA and name <paramref name="nodeName"/>. Channels are
    /// cached per node and rebuilt when the identity changes or the address does.
    /// </summary>
    Peer.PeerClient Peer(string nodeName, string host, int port);

    /// <summary>A client of a member's mailbox migration service, on the same channel as <see cref="Peer"/>.</summary>
    Migration.MigrationClient Migration(string nodeName, string host, int port);

    /// <summary>A client of a member's administration service, on the same channel as <see cref="Peer"/>.</summary>
    Administration.AdministrationClient Administration(string nodeName, string host, int port);

    /// <summary>A client of a member's calendar service (free/busy), on the same channel as <see cref="Peer"/>.</summary>
    Calendar.CalendarClient Calendar(string nodeName, string host, int port);

    /// <summary>
    /// A client for joining a master whose CA is not trusted yet: any server certificate is
    /// accepted and its fingerprint recorded; with <paramref name="pinnedFingerprint"/> set, a
    /// server presenting another one fails every call with <c>fingerprint-mismatch</c>.
    /// </summary>
    IBootstrapConnection Bootstrap(string host, int port, string? pinnedFingerprint);
}

/// <summary>A short-lived TLS connection to a master for the join methods.</summary>
public interface IBootstrapConnection : IDisposable
{
    Join.JoinClient Client { get; }

    /// <summary>The fingerprint (format of <see cref="IClusterIdentity.Fingerprint"/>) the server presented on the last call; null before any.</summary>
    string? ServerFingerprint { get; }
}
