using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Mail.Routing;

/// <summary>
/// The node's rule for <c>RCPT TO</c>. Mail for this node's domains is taken when the address
/// exists (a mailbox, alias, mailing list or group) and its mailbox is enabled. Mail for any
/// other domain is taken only from a signed-in user on the submission port: nothing else may
/// relay. The old tricks fail on their own: <c>user%host@here</c> and <c>"user@there"@here</c>
/// are local parts that name nobody here, and a source route was already dropped by the parser.
/// <para>
/// A peer session (another member node, proved by its TLS client certificate) is held to the
/// same rule for this node's domains, whose users may be homed on any node: this node then
/// forwards them. On the master, the domain's gateway, a peer may also send to any other
/// domain: that is how slaves send external mail out.
/// </para>
/// </summary>
public sealed class LocalRecipientPolicy(RecipientDirectory directory, IClusterTopology? topology = null) : IRecipientPolicy
{
    public ValueTask<SmtpReply?> CheckAsync(MailPath recipient, SmtpClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(client);
        return ValueTask.FromResult(Check(recipient, client));
    }

    private SmtpReply? Check(MailPath recipient, SmtpClientInfo client)
    {
        if (!directory.IsLocalDomain(recipient.Domain))
        {
            if ((client.Port == SmtpPort.Submission && client.AuthenticatedAs is not null) || (client.PeerNode is not null && topology?.Role == NodeRole.Master))
            {
                return null;
            }

            // A member that takes this node for the master has an older view of the domain than
            // this node: its mail should wait for the views to agree, not bounce.
            return client.PeerNode is not null
                ? new SmtpReply(454, "4.7.1", $"Relay access denied for now: this node is not the master of the distributed domain, and only the master sends mail out to {DomainNames.ToUnicode(recipient.Domain)}.")
                : new SmtpReply(550, "5.7.1", $"Relay access denied: this server takes mail only for its own domains, and {DomainNames.ToUnicode(recipient.Domain)} is not one of them. Send it through your own mail server.");
        }

        return RefusalFor(directory.Find(recipient), recipient);
    }

    /// <summary>
    /// Why a local address cannot take mail (unknown, removed from the directory, disabled),
    /// or null when it can. Asked at <c>RCPT TO</c> and again at delivery, when the address
    /// may have changed since the message was accepted.
    /// </summary>
    public static SmtpReply? RefusalFor(RecipientTarget? target, MailPath recipient) => target switch
    {
        null => new SmtpReply(550, "5.1.1", $"<{recipient}>: no such mailbox here. Check the address for typing mistakes."),
        RecipientTarget.Mailbox { Removed: true } => new SmtpReply(550, "5.1.1", $"<{recipient}>: this mailbox no longer exists in the directory."),
        RecipientTarget.Mailbox { Enabled: false } => new SmtpReply(550, "5.2.1", $"<{recipient}>: this mailbox is disabled and does not take mail. Contact the recipient another way."),
        _ => null,
    };
}
