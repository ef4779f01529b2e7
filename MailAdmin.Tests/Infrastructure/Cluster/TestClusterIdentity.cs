using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;

namespace MailAdmin.Tests.Infrastructure.Cluster;

/// <summary>A member's identity: its certificate (with key) from the test CA, and that CA.</summary>
public sealed class TestClusterIdentity(X509Certificate2 certificate, X509Certificate2 trustRoot) : IClusterIdentity
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2 TrustRoot { get; } = trustRoot;

    public bool OwnsTrustRoot => false;

    public string Fingerprint => string.Join(':', Convert.ToHexString(Certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));

    public string Thumbprint => CertificateThumbprints.Sha256(Certificate);

    public event EventHandler? Changed
    {
        add { }
        remove { }
    }

    public byte[] Issue(byte[] certificateRequest, string nodeName, IReadOnlyList<string> hosts) => throw new NotSupportedException();

    public byte[] CreateRequest(string nodeName, IReadOnlyList<string> hosts) => throw new NotSupportedException();

    public void Adopt(byte[] certificate, byte[] caCertificate) => throw new NotSupportedException();

    /// <summary>
    /// Nothing to undo: the tests that use this identity make the node a member through the
    /// topology, not its database, so at start it looks like a join cut off halfway.
    /// </summary>
    public void Reset()
    {
    }
}
