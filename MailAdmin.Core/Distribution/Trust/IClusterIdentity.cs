using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// This node's certificates for the peer protocol and for SMTP between nodes.
/// A standalone node (and a master) trusts its own CA and holds a certificate
/// signed by it; a slave trusts its master's CA and holds the certificate the
/// master issued when it joined. Private keys are kept encrypted at rest.
/// </summary>
public interface IClusterIdentity
{
    /// <summary>The node's certificate, with its private key: the peer port's server certificate and the client certificate of every peer call.</summary>
    X509Certificate2 Certificate { get; }

    /// <summary>The CA every peer certificate must chain to.</summary>
    X509Certificate2 TrustRoot { get; }

    /// <summary>True when this node holds the private key of <see cref="TrustRoot"/> (it can sign certificates for joining nodes).</summary>
    bool OwnsTrustRoot { get; }

    /// <summary>SHA-256 of <see cref="Certificate"/>, upper-case hex pairs joined by ':' (what the wizard shows).</summary>
    string Fingerprint { get; }

    /// <summary>SHA-256 of <see cref="Certificate"/>, lower-case hex without separators (what documents and registries compare).</summary>
    string Thumbprint { get; }

    /// <summary>
    /// Signs a joining node's PKCS#10 request (DER) for <paramref name="nodeName"/>, valid for
    /// TLS server and client authentication, naming <paramref name="hosts"/> as DNS or IP
    /// subject alternative names. Returns the certificate (DER). Only where <see cref="OwnsTrustRoot"/>.
    /// </summary>
    byte[] Issue(byte[] certificateRequest, string nodeName, IReadOnlyList<string> hosts);

    /// <summary>Makes a new key pair kept in memory and returns a PKCS#10 request (DER) for it.</summary>
    byte[] CreateRequest(string nodeName, IReadOnlyList<string> hosts);

    /// <summary>
    /// Stores <paramref name="certificate"/> (DER, issued for the last <see cref="CreateRequest"/>)
    /// with the pending key, and trusts <paramref name="caCertificate"/> (DER) from now on. Durable
    /// and atomic: after a crash the node has either its old identity or the new one.
    /// </summary>
    void Adopt(byte[] certificate, byte[] caCertificate);

    /// <summary>Back to the node's own CA and a certificate it signs itself (after leaving a distributed domain).</summary>
    void Reset();

    /// <summary>Raised after <see cref="Adopt"/> or <see cref="Reset"/>, so cached channels are rebuilt.</summary>
    event EventHandler? Changed;
}
