using System.Globalization;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>The session's own replies, each with its enhanced status code (RFC 3463, RFC 2034).</summary>
internal static class SmtpReplies
{
    public static readonly SmtpReply Ok = new(250, "2.0.0", "Ok");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Sender ok");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Recipient ok");
    public static readonly SmtpReply Reset = new(250, "2.0.0", "Ok, transaction reset");
    public static readonly SmtpReply Bye = new(221, "2.0.0", "Bye");
    public static readonly SmtpReply CannotVerify = new(252, "2.5.2", "Cannot VRFY the user, but will take a message for it and attempt delivery");
    public static readonly SmtpReply Help = new(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH; see RFC 5321");
    public static readonly SmtpReply ReadyForTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply AuthSucceeded = new(235, "2.7.0", "Authentication successful");

    public static readonly SmtpReply UnknownCommand = new(500, "5.5.1", "Command not recognized");
    public static readonly SmtpReply EmptyCommand = new(500, "5.5.2", "Syntax error: empty command line");
    public static readonly SmtpReply BareLineEndInCommand = new(500, "5.5.2", "Syntax error: bare <CR> or <LF> in the command; end every line with <CR><LF>");
    public static readonly SmtpReply NotUtf8 = new(500, "5.5.2", "Syntax error: the command is not valid UTF-8");
    public static readonly SmtpReply NotImplemented = new(502, "5.5.1", "Command not implemented");
    public static readonly SmtpReply NoHelo = new(503, "5.5.1", "Bad sequence of commands: send EHLO (or HELO) first");
    public static readonly SmtpReply NestedMail = new(503, "5.5.1", "Bad sequence of commands: a MAIL transaction is already open; send RSET to start again");
    public static readonly SmtpReply NoMail = new(503, "5.5.1", "Bad sequence of commands: send MAIL FROM first");
    public static readonly SmtpReply NoValidRecipients = new(554, "5.5.1", "No valid recipients: every RCPT TO was refused, so there is nothing to deliver");
    public static readonly SmtpReply TlsActive = new(503, "5.5.1", "Bad sequence of commands: TLS is already active");
    public static readonly SmtpReply TlsUnavailable = new(454, "4.7.0", "TLS not available: the server has no certificate; try again later");
    public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Bad sequence of commands: already authenticated");
    public static readonly SmtpReply AuthDuringMail = new(503, "5.5.1", "Bad sequence of commands: AUTH is not allowed during a mail transaction");
    public static readonly SmtpReply AuthNotOnThisPort = new(503, "5.5.1", "AUTH is not available on this port: submit mail on the submission port");
    public static readonly SmtpReply AuthNeedsTls = new(530, "5.7.0", "Must issue a STARTTLS command first: passwords are only taken over an encrypted connection");
    public static readonly SmtpReply AuthRequired = new(530, "5.7.0", "Authentication required: sign in with AUTH before MAIL on the submission port");
    public static readonly SmtpReply AuthMechanism = new(504, "5.5.4", "Unrecognized authentication mechanism: use PLAIN or LOGIN");
    public static readonly SmtpReply AuthCancelled = new(501, "5.0.0", "Authentication cancelled");
    public static readonly SmtpReply AuthBadBase64 = new(501, "5.5.2", "Cannot decode the response: it must be base64");
    public static readonly SmtpReply AuthBadPlain = new(501, "5.5.2", "Malformed PLAIN response: expected authzid NUL user NUL password");
    public static readonly SmtpReply AuthProxyRefused = new(535, "5.7.8", "Authentication credentials invalid: signing in on behalf of another user is not supported");
    public static readonly SmtpReply AuthFailed = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply AuthUnavailable = new(454, "4.7.0", "Temporary authentication failure: try again later");
    public static readonly SmtpReply NullSenderOnSubmission = new(553, "5.7.1", "Sender address rejected: submission needs one of your own addresses, not <>");
    public static readonly SmtpReply NonAsciiAddress = new(553, "5.6.7", "Non-ASCII address: send MAIL FROM with the SMTPUTF8 parameter");
    public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients: send the others in another message");
    public static readonly SmtpReply StartData = new(354, string.Empty, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply BareLineEndInData = new(550, "5.6.11", "Message refused: it holds a bare <CR> or <LF>; every line must end with <CR><LF>");
    public static readonly SmtpReply StorageFull = new(452, "4.3.1", "Insufficient system storage: try again later");
    public static readonly SmtpReply StorageFailed = new(451, "4.3.0", "Local error in processing: the message was not accepted; try again later");
    public static readonly SmtpReply RecipientCheckFailed = new(451, "4.3.0", "Temporary failure checking the recipient: try again later");
    public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors: closing the connection");
    public static readonly SmtpReply IdleTimeout = new(421, "4.4.2", "Timeout: nothing received for too long, closing the connection");
    public static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "The server is shutting down: try again later");
    public static readonly SmtpReply TooBusy = new(421, "4.7.0", "Too many connections: try again later");

    public static SmtpReply Syntax(string usage) => new(501, "5.5.4", $"Syntax: {usage}");

    public static SmtpReply LineTooLong(int max) =>
        new(500, "5.5.2", string.Create(CultureInfo.InvariantCulture, $"Line too long: a command line may have at most {max} octets"));

    public static SmtpReply TextLineTooLong(int max) =>
        new(500, "5.5.2", string.Create(CultureInfo.InvariantCulture, $"Message refused: a line of text is longer than {max} octets; wrap or encode it"));

    public static SmtpReply MessageTooBig(long max) =>
        new(552, "5.3.4", string.Create(CultureInfo.InvariantCulture, $"Message too big: the limit is {max} octets"));

    public static SmtpReply BadSender(string why) => new(501, "5.1.7", $"Bad sender address syntax: {why}");

    public static SmtpReply BadRecipient(string why) => new(501, "5.1.3", $"Bad recipient address syntax: {why}");

    public static SmtpReply UnknownParameter(string keyword) => new(555, "5.5.4", $"Unsupported parameter {keyword}");

    public static SmtpReply SenderNotOwned(MailPath sender, string user) =>
        new(553, "5.7.1", $"Sender address rejected: <{sender}> is not one of the addresses of {user}");

    public static SmtpReply Queued(string queueId) => new(250, "2.0.0", $"Ok: queued as {queueId}");
}
