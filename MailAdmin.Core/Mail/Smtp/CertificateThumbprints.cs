using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>The one thumbprint format nodes compare (<c>IClusterIdentity.Thumbprint</c>, <c>PeerNode.SmtpThumbprint</c>).</summary>
public static class CertificateThumbprints
{
    /// <summary>SHA-256 of the certificate's DER encoding, lower-case hex without separators.</summary>
    public static string Sha256(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }
}
