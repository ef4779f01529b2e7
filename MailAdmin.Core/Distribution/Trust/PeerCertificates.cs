using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>How the peer protocol names and compares certificates.</summary>
public static class PeerCertificates
{
    internal const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    internal const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>SHA-256 of the DER, lower-case hex (<see cref="IClusterIdentity.Thumbprint"/>).</summary>
    public static string Thumbprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>SHA-256 of the DER, upper-case hex pairs joined by ':' (<see cref="IClusterIdentity.Fingerprint"/>).</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return BitConverter.ToString(SHA256.HashData(certificate.RawData)).Replace('-', ':');
    }

    /// <summary>
    /// True when both name the same SHA-256: case, ':' and spaces do not matter, so a
    /// fingerprint copied from a terminal or typed in lower case still compares.
    /// </summary>
    public static bool SameFingerprint(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var left = Normalize(a);
        return left.Length == 64 && string.Equals(left, Normalize(b), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The fingerprint in the canonical form when it is one, else as given.</summary>
    internal static string Canonical(string fingerprint)
    {
        var hex = Normalize(fingerprint);
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
            ? string.Join(':', hex.ToUpperInvariant().Chunk(2).Select(pair => new string(pair)))
            : fingerprint;
    }

    /// <summary>The subject's common name (the node name of a peer certificate), or null.</summary>
    internal static string? CommonName(X509Certificate2 certificate)
    {
        try
        {
            return certificate.SubjectName.EnumerateRelativeDistinguishedNames()
                .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
                .Select(rdn => rdn.GetSingleElementValue())
                .FirstOrDefault();
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The DNS names of the subject alternative name extension.</summary>
    internal static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
    {
        try
        {
            return certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            return [];
        }
    }

    /// <summary>True when the certificate names <paramref name="nodeName"/> both as its common name and among its DNS names.</summary>
    internal static bool Names(X509Certificate2 certificate, string nodeName) =>
        string.Equals(CommonName(certificate), nodeName, StringComparison.OrdinalIgnoreCase)
        && DnsNames(certificate).Contains(nodeName, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the extended key usage extension lists <paramref name="oid"/>.</summary>
    internal static bool AllowsUsage(X509Certificate2 certificate, string oid) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(usage => usage.Value == oid));

    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="root"/> and nothing else.
    /// Validity dates are left to the caller, who checks them against its own clock.
    /// </summary>
    internal static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(root);
        policy.RevocationMode = X509RevocationMode.NoCheck;

        // A certificate from a stranger must not make this node fetch anything.
        policy.DisableCertificateDownloads = true;
        policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        try
        {
            return chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                // The chain hands out copies; the caller's certificates stay usable.
                if (!ReferenceEquals(element.Certificate, certificate) && !ReferenceEquals(element.Certificate, root))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    private static string Normalize(string fingerprint) =>
        string.Concat(fingerprint.Where(c => c is not (':' or ' ' or '-')));
}
