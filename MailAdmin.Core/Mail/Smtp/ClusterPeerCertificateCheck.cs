using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// The mail engine's own check of a peer's SMTP client certificate: it must chain to the
/// distributed domain's CA (<see cref="IClusterIdentity.TrustRoot"/>, and nothing else), be
/// valid now, be meant for TLS client authentication, and belong, by its common name and
/// SHA-256 thumbprint, to a member <see cref="IPeerRegistry"/> trusts. The node's identity is
/// looked up only when a certificate is presented: a node without one has no peers, and
/// starts as it always did.
/// </summary>
internal sealed class ClusterPeerCertificateCheck(IServiceProvider services) : IPeerCertificateCheck
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public bool TryAuthenticate(X509Certificate2? certificate, out string nodeName, out string reason)
    {
        nodeName = string.Empty;
        if (certificate is null)
        {
            reason = "no client certificate";
            return false;
        }

        var identity = services.GetService<IClusterIdentity>();
        var registry = services.GetService<IPeerRegistry>();
        if (identity is null || registry is null)
        {
            reason = "this node belongs to no distributed domain";
            return false;
        }

        if (!AllowsClientAuthentication(certificate))
        {
            reason = "the certificate is not meant for TLS client authentication";
            return false;
        }

        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(identity.TrustRoot);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // Revoked members are the registry's to refuse.
            chain.ChainPolicy.DisableCertificateDownloads = true;
            if (!chain.Build(certificate))
            {
                reason = "it does not chain to the distributed domain's CA ("
                    + string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)) + ")";
                return false;
            }
        }

        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var thumbprint = CertificateThumbprints.Sha256(certificate);
        if (string.IsNullOrEmpty(name) || !registry.IsTrustedPeer(name, thumbprint))
        {
            reason = $"'{name}' with certificate {thumbprint} is not a member of the distributed domain";
            return false;
        }

        nodeName = name;
        reason = string.Empty;
        return true;
    }

    private static bool AllowsClientAuthentication(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usages)
            {
                foreach (Oid usage in usages.EnhancedKeyUsages)
                {
                    if (usage.Value == ClientAuthentication)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
