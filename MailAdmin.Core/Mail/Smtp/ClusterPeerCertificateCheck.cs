using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Whether an SMTP client certificate makes its sender a peer node: the same decision as for
/// a peer call (<see cref="PeerCertificateValidator"/>: the distributed domain's CA, valid
/// now, meant for client authentication, a current member's certificate). The node's identity
/// is looked up only when a certificate is presented: a node without one has no peers.
/// </summary>
internal sealed class ClusterPeerCertificateCheck(IServiceProvider services) : IPeerCertificateCheck
{
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

        var validator = services.GetService<PeerCertificateValidator>()
            ?? new PeerCertificateValidator(identity, registry, services.GetService<TimeProvider>() ?? TimeProvider.System);
        var result = validator.Validate(certificate);
        nodeName = result.NodeName ?? string.Empty;
        reason = result.Reason;
        return result.IsValid;
    }
}
