namespace MailAdmin.Core.Mail;

/// <summary>How a message reached this node.</summary>
public enum SmtpPort
{
    /// <summary>The incoming port (<c>Smtp:Port</c>): mail for this node's domains only.</summary>
    Incoming,

    /// <summary>Authenticated submission (<c>Smtp:SubmissionPort</c>).</summary>
    Submission,
}

/// <summary>What the SMTP session knows about its client when it asks the mail engine something.</summary>
/// <param name="PeerNode">The member node the client proved to be by its TLS client certificate (a peer session); null for everyone else.</param>
public sealed record SmtpClientInfo(
    System.Net.IPAddress Address,
    string? HeloName,
    SmtpPort Port,
    bool Secure,
    string? AuthenticatedAs,
    string? PeerNode = null);

/// <summary>
/// The envelope of one accepted message: the sender (null for the null sender <c>&lt;&gt;</c>
/// of bounces) and the recipients the session accepted, with where the message came from.
/// </summary>
public sealed record Envelope(
    MailPath? Sender,
    IReadOnlyList<MailPath> Recipients,
    SmtpClientInfo Client,
    DateTimeOffset ReceivedAt);
