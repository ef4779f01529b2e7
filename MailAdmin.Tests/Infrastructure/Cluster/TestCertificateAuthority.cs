using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Tests.Infrastructure.Cluster;

/// <summary>
/// A distributed domain's CA for tests: ECDSA P-256, as a master makes one, and the node
/// certificates it signs (TLS server and client authentication, the node's name as CN).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private TestCertificateAuthority(X509Certificate2 root) => Root = root;

    /// <summary>The CA's certificate, with its private key.</summary>
    public X509Certificate2 Root { get; }

    public static TestCertificateAuthority Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-7), now.AddYears(2)));
    }

    /// <summary>A node certificate with its private key; <paramref name="usages"/> defaults to server and client authentication.</summary>
    public X509Certificate2 Issue(string nodeName, string[]? usages = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (var usage in usages ?? [ServerAuthentication, ClientAuthentication])
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(Root, now.AddDays(-2), notAfter ?? now.AddYears(1), serial);
        using var withKey = certificate.CopyWithPrivateKey(key);

        // Through PKCS#12, as a node loads it from disk: an ephemeral key is not usable by TLS everywhere.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The CA's certificate without its key: what a member trusts.</summary>
    public X509Certificate2 PublicRoot() => X509CertificateLoader.LoadCertificate(Root.RawData);

    public void Dispose() => Root.Dispose();
}
