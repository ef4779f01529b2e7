using System.Security.Cryptography.X509Certificates;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Decides whether the TLS client certificate an SMTP client presented after STARTTLS is that
/// of a member node of the distributed domain. A session so authenticated is a <i>peer
/// session</i>: it may relay (see <see cref="Routing.LocalRecipientPolicy"/>).
/// </summary>
public interface IPeerCertificateCheck
{
    /// <summary>
    /// True, with the member's node name, when <paramref name="certificate"/> proves a peer;
    /// otherwise false with a <paramref name="reason"/> fit for the log.
    /// </summary>
    bool TryAuthenticate(X509Certificate2? certificate, out string nodeName, out string reason);
}
