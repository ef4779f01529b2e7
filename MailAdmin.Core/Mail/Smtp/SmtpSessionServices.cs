using System.Net.Security;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>What every session of a node shares.</summary>
/// <param name="Tls">STARTTLS without a client certificate: the submission port, and every port of a node outside a distributed domain.</param>
/// <param name="PeerTls">STARTTLS on the incoming port of a member node: the client is asked for a certificate (not required), which may make it a peer.</param>
internal sealed record SmtpSessionServices(
    SmtpOptions Options,
    IMessageSpool Spool,
    IRecipientPolicy RecipientPolicy,
    ISmtpAuthenticator Authenticator,
    SmtpAuthRule AuthRule,
    SslServerAuthenticationOptions Tls,
    SslServerAuthenticationOptions PeerTls,
    IPeerCertificateCheck? PeerCheck,
    IClusterTopology? Topology,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>Whether a STARTTLS on <paramref name="port"/> asks for a client certificate now (the node may join or leave a domain while it runs).</summary>
    public bool AcceptsPeersOn(SmtpPort port) =>
        port == SmtpPort.Incoming && PeerCheck is not null && Topology is { Role: not NodeRole.Standalone };
}
