using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>What every session of a node shares.</summary>
internal sealed record SmtpSessionServices(
    SmtpOptions Options,
    IMessageSpool Spool,
    IRecipientPolicy RecipientPolicy,
    ISmtpAuthenticator Authenticator,
    SmtpAuthRule AuthRule,
    SslServerAuthenticationOptions Tls,
    TimeProvider Time,
    ILogger Logger);
