using System.Net;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>What the SMTP listeners log (event ids 4100–4199). Never passwords or message text.</summary>
internal static partial class SmtpLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "SMTP {Port} listener on {Endpoint}.")]
    public static partial void Listening(this ILogger logger, SmtpPort port, IPEndPoint endpoint);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "SMTP session {Session} from {Client} on the {Port} port.")]
    public static partial void SessionStarted(this ILogger logger, long session, IPEndPoint client, SmtpPort port);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "SMTP session {Session} ended: {Reason}.")]
    public static partial void SessionEnded(this ILogger logger, long session, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "SMTP session {Session} queued {QueueId} from {Sender} for {Recipients} recipients, {Size} octets.")]
    public static partial void Queued(this ILogger logger, long session, string queueId, MailPath? sender, int recipients, long size);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "SMTP session {Session} refused a message: {Reply}")]
    public static partial void MessageRefused(this ILogger logger, long session, SmtpReply reply);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "SMTP session {Session}: the spool is full; the client was told to try again later.")]
    public static partial void StorageFull(this ILogger logger, long session, Exception exception);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Error, Message = "SMTP session {Session}: the spool failed to take a message; the client was told to try again later.")]
    public static partial void StorageFailed(this ILogger logger, long session, Exception exception);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Error, Message = "SMTP session {Session}: the recipient check failed.")]
    public static partial void RecipientCheckFailed(this ILogger logger, long session, Exception exception);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "SMTP session {Session} from {Client}: {User} signed in.")]
    public static partial void AuthSucceeded(this ILogger logger, long session, IPAddress client, string user);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "SMTP session {Session} from {Client}: failed sign-in as {User}: {Reply}")]
    public static partial void AuthFailed(this ILogger logger, long session, IPAddress client, string user, SmtpReply reply);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "SMTP session {Session}: the authenticator failed.")]
    public static partial void AuthenticatorFailed(this ILogger logger, long session, Exception exception);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Information, Message = "SMTP session {Session} from {Client}: TLS handshake failed: {Reason}")]
    public static partial void TlsFailed(this ILogger logger, long session, IPAddress client, string reason);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "SMTP session {Session} from {Client}: disconnected after {Errors} errors.")]
    public static partial void TooManyErrors(this ILogger logger, long session, IPAddress client, int errors);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Warning, Message = "Refused an SMTP connection from {Client}: {Sessions} sessions are open already (Smtp:MaxSessions).")]
    public static partial void TooBusy(this ILogger logger, IPEndPoint client, int sessions);

    [LoggerMessage(EventId = 4115, Level = LogLevel.Error, Message = "SMTP session {Session} failed.")]
    public static partial void SessionFailed(this ILogger logger, long session, Exception exception);

    [LoggerMessage(EventId = 4116, Level = LogLevel.Information, Message = "Made a self-signed SMTP certificate for {HostName} in {Path}.")]
    public static partial void CertificateCreated(this ILogger logger, string hostName, string path);

    [LoggerMessage(EventId = 4117, Level = LogLevel.Error, Message = "Accepting SMTP connections on {Endpoint} failed.")]
    public static partial void AcceptFailed(this ILogger logger, IPEndPoint endpoint, Exception exception);

    [LoggerMessage(EventId = 4118, Level = LogLevel.Information, Message = "SMTP session {Session} from {Client} is peer node {Node} (TLS client certificate).")]
    public static partial void PeerAuthenticated(this ILogger logger, long session, IPAddress client, string node);

    [LoggerMessage(EventId = 4119, Level = LogLevel.Warning, Message = "SMTP session {Session} from {Client}: the TLS client certificate {Subject} gives no peer rights: {Reason}. The session goes on as an anonymous one.")]
    public static partial void PeerRefused(this ILogger logger, long session, IPAddress client, string subject, string reason);
}
