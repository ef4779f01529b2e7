using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// The certificates of the peer protocol, all ECDSA P-256 with SHA-256: a node's own CA
/// (10 years, signs node certificates only: path length 0) and node certificates (2 years,
/// TLS server and client). Every extension of a node certificate is decided here; nothing
/// is taken from a request but its public key.
/// </summary>
internal static class ClusterCertificates
{
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan NodeLifetime = TimeSpan.FromDays(730);

    /// <summary>Clocks of two nodes differ a little; a certificate is valid from a few minutes before it is made.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static X509Certificate2 CreateAuthority(string nodeName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName($"MailAdmin CA {nodeName}");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now - ClockSkew, now + CaLifetime, SerialNumber());
        return Usable(certificate.CopyWithPrivateKey(key));
    }

    /// <summary>A node certificate with a fresh key, signed by <paramref name="authority"/>.</summary>
    public static X509Certificate2 CreateNode(X509Certificate2 authority, string nodeName, IEnumerable<string> hosts, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Sign(authority, new PublicKey(key), nodeName, hosts, now - ClockSkew, now + NodeLifetime);
        return Usable(certificate.CopyWithPrivateKey(key));
    }

    /// <summary>Signs <paramref name="publicKey"/> as <paramref name="nodeName"/>; the validity is cut to fit the authority's own.</summary>
    public static X509Certificate2 Sign(X509Certificate2 authority, PublicKey publicKey, string nodeName, IEnumerable<string> hosts, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(Subject(nodeName), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(PeerCertificates.ServerAuth), new Oid(PeerCertificates.ClientAuth)], critical: false));
        request.CertificateExtensions.Add(AlternativeNames(nodeName, hosts));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var earliest = new DateTimeOffset(authority.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var latest = new DateTimeOffset(authority.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return request.Create(authority, notBefore > earliest ? notBefore : earliest, notAfter < latest ? notAfter : latest, SerialNumber());
    }

    /// <summary>A request for <paramref name="key"/>: the signer decides the rest, the names are a courtesy.</summary>
    public static byte[] Request(ECDsa key, string nodeName, IEnumerable<string> hosts)
    {
        var request = new CertificateRequest(Subject(nodeName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(AlternativeNames(nodeName, hosts));
        return request.CreateSigningRequest();
    }

    /// <summary>
    /// On Windows, SChannel cannot serve TLS from a key that lives only in memory; a PKCS#12
    /// round trip gives it one it accepts. Elsewhere the certificate is used as made.
    /// </summary>
    public static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    private static X500DistinguishedName Subject(string nodeName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(nodeName);
        return subject.Build();
    }

    private static X509Extension AlternativeNames(string nodeName, IEnumerable<string> hosts)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts.Prepend(nodeName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (host != nodeName && IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        return names.Build();
    }

    /// <summary>Random, positive, 16 octets (RFC 5280 allows up to 20).</summary>
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
