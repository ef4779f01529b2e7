using System.Net;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// When a session offers AUTH: only on the submission port (the incoming port takes mail for
/// this node's domains and needs no sign-in), and only once the connection is encrypted, so a
/// password never crosses the network in clear. A client on this machine is exempt: its
/// traffic never leaves the host.
/// </summary>
public class SmtpAuthRule
{
    public bool IsOffered(SmtpPort port, bool secure, IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return port == SmtpPort.Submission && (secure || IsLocal(client));
    }

    /// <summary>Whether <paramref name="client"/> is on this machine (a loopback address).</summary>
    protected virtual bool IsLocal(IPAddress client) => IPAddress.IsLoopback(client);
}
