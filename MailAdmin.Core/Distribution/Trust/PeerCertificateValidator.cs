using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// Decides whether a certificate presented by a caller belongs to a member of this node's
/// distributed domain: the one rule behind the peer port and SMTP between nodes. TLS accepts
/// any certificate; this runs for each call, so a node removed or revoked a moment ago is
/// refused on a connection it opened before.
/// </summary>
public sealed class PeerCertificateValidator(IClusterIdentity identity, IPeerRegistry registry, TimeProvider clock)
{
    /// <summary>Checks the client certificate of a call; the result names the member or says why it is refused.</summary>
    public PeerValidationResult Validate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return PeerValidationResult.Refused("no client certificate");
        }

        if (CheckIssuerAndDates(certificate) is { } refusal)
        {
            return PeerValidationResult.Refused(refusal);
        }

        if (!PeerCertificates.AllowsUsage(certificate, PeerCertificates.ClientAuth))
        {
            return PeerValidationResult.Refused("certificate is not valid for client authentication");
        }

        var nodeName = PeerCertificates.CommonName(certificate);
        if (string.IsNullOrEmpty(nodeName) || !PeerCertificates.Names(certificate, nodeName))
        {
            return PeerValidationResult.Refused("certificate does not name a node (its common name and DNS names differ)");
        }

        if (!registry.IsTrustedPeer(nodeName, PeerCertificates.Thumbprint(certificate)))
        {
            return PeerValidationResult.Refused($"node '{nodeName}' is not a member of this distributed domain, or this certificate was replaced or revoked");
        }

        return PeerValidationResult.Accepted(nodeName);
    }

    /// <summary>Checks the certificate a member's peer port presents; null when it is <paramref name="nodeName"/>'s, else why not.</summary>
    internal string? CheckServer(X509Certificate2? certificate, string nodeName)
    {
        if (certificate is null)
        {
            return "no server certificate";
        }

        if (CheckIssuerAndDates(certificate) is { } refusal)
        {
            return refusal;
        }

        if (!PeerCertificates.AllowsUsage(certificate, PeerCertificates.ServerAuth))
        {
            return "certificate is not valid for a server";
        }

        return PeerCertificates.Names(certificate, nodeName)
            ? null
            : $"certificate names '{PeerCertificates.CommonName(certificate)}', not '{nodeName}'";
    }

    private string? CheckIssuerAndDates(X509Certificate2 certificate)
    {
        var root = identity.TrustRoot;
        if (!PeerCertificates.ChainsTo(certificate, root))
        {
            return "certificate not issued by this distributed domain's CA";
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now)
        {
            return $"certificate expired on {Format(certificate.NotAfter)}";
        }

        if (certificate.NotBefore.ToUniversalTime() > now)
        {
            return $"certificate is not valid before {Format(certificate.NotBefore)} (check both servers' clocks)";
        }

        return root.NotAfter.ToUniversalTime() < now
            ? $"the distributed domain's CA expired on {Format(root.NotAfter)}"
            : null;
    }

    private static string Format(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="PeerCertificateValidator"/> decided.</summary>
/// <param name="IsValid">True when the caller is a member.</param>
/// <param name="NodeName">The member's node name when valid.</param>
/// <param name="Reason">Why it was refused, in words for a log or an administrator; empty when valid.</param>
public sealed record PeerValidationResult(bool IsValid, string? NodeName, string Reason)
{
    public static PeerValidationResult Accepted(string nodeName) => new(true, nodeName, string.Empty);

    public static PeerValidationResult Refused(string reason) => new(false, null, reason);
}
