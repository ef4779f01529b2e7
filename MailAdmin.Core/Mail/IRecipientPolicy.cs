namespace MailAdmin.Core.Mail;

/// <summary>
/// Decides, at <c>RCPT TO</c>, whether this node takes a recipient: the anti-relay rule and
/// the existence of local recipients live here, not in the SMTP session.
/// </summary>
public interface IRecipientPolicy
{
    /// <summary>
    /// Null to accept the recipient; otherwise the refusal to send (for example
    /// <c>550 5.1.1</c> for an unknown local mailbox, <c>550 5.7.1</c> for relaying,
    /// <c>550 5.2.1</c> for a disabled user).
    /// </summary>
    ValueTask<SmtpReply?> CheckAsync(MailPath recipient, SmtpClientInfo client, CancellationToken cancellationToken);
}

/// <summary>Checks submission credentials (AUTH PLAIN and LOGIN) against local and directory users.</summary>
public interface ISmtpAuthenticator
{
    ValueTask<SmtpAuthResult> AuthenticateAsync(string userName, string password, SmtpClientInfo client, CancellationToken cancellationToken);
}

/// <summary>
/// The outcome of an AUTH attempt: the signed-in user and the envelope senders it may use,
/// or a refusal. <see cref="Refusal"/> null with no identity means wrong credentials
/// (<c>535 5.7.8</c>); a refusal gives its own reason (a mailbox being moved, a licence
/// exceeded, the directory unreachable).
/// </summary>
public sealed record SmtpAuthResult(string? Address, IReadOnlySet<string> SenderAddresses, SmtpReply? Refusal)
{
    public static SmtpAuthResult WrongCredentials { get; } = new(null, new HashSet<string>(), null);

    public bool Succeeded => Address is not null && Refusal is null;

    public static SmtpAuthResult Success(string address, IEnumerable<string> senderAddresses) =>
        new(address, new HashSet<string>(senderAddresses, StringComparer.OrdinalIgnoreCase), null);

    public static SmtpAuthResult Refused(SmtpReply reply) => new(null, new HashSet<string>(), reply);
}
