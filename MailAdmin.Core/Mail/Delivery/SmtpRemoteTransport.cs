using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>
/// Delivery to other mail servers with MailKit: through <c>Smtp:RelayHost</c> when set, else
/// to the domain's MX hosts in preference order (its address records when it has no MX, RFC
/// 5321 §5.1). STARTTLS is used whenever the server offers it; like every MTA doing
/// opportunistic TLS, the certificate is not required to verify (a failed check would only
/// push the message back to plain text).
/// </summary>
public sealed partial class SmtpRemoteTransport(SmtpOptions options, ILogger<SmtpRemoteTransport> logger) : IRemoteTransport
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly LookupClient _dns = new(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2 });

    public async Task<IReadOnlyList<RemoteOutcome>> SendAsync(string domain, string? sender, IReadOnlyList<string> recipients, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        IReadOnlyList<(string Host, int Port)> hosts;
        try
        {
            hosts = options.RelayHost is { } relay ? [relay] : await MailExchangersAsync(domain, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            return All(recipients, permanent: false, $"451 4.4.3 The DNS lookup of {domain} failed ({e.Message}); will try again.");
        }

        if (hosts.Count == 0)
        {
            return All(recipients, permanent: true, $"550 5.1.2 The domain {domain} has no mail server (no MX or address record).");
        }

        var (message, unreadable) = await SmtpTransaction.LoadAsync(openContent, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return All(recipients, permanent: true, unreadable!);
        }

        var lastError = "451 4.4.1 No mail server of the domain could be reached.";
        foreach (var (host, port) in hosts)
        {
            using var client = new RecordingSmtpClient { Timeout = (int)Timeout.TotalMilliseconds, LocalDomain = options.HostName };
#pragma warning disable CA5359 // Opportunistic TLS between MTAs (RFC 3207 §4.1, RFC 7435): encrypt when possible, never fall back to plain text over a name mismatch.
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            try
            {
                await client.ConnectAsync(host, port, SecureSocketOptions.StartTlsWhenAvailable, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = $"451 4.4.1 Cannot connect to {host}:{port} ({e.Message}).";
                LogHostFailed(logger, host, port, e.Message);
                continue;
            }

            try
            {
                return await SmtpTransaction.SendAsync(client, message, sender, recipients, host, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e))
            {
                lastError = $"451 4.4.2 The connection to {host}:{port} broke during delivery ({e.Message}).";
                LogHostFailed(logger, host, port, e.Message);
            }
        }

        return All(recipients, permanent: false, lastError);
    }

    private async Task<IReadOnlyList<(string Host, int Port)>> MailExchangersAsync(string domain, CancellationToken cancellationToken)
    {
        var answer = await _dns.QueryAsync(domain, QueryType.MX, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (answer.HasError && answer.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DnsResponseException($"the server answered {answer.Header.ResponseCode}");
        }

        var mx = answer.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => r.Exchange.Value.TrimEnd('.')).ToList();
        if (mx.Count == 1 && mx[0].Length == 0)
        {
            return []; // Null MX (RFC 7505): the domain takes no mail.
        }

        if (mx.Count > 0)
        {
            return mx.Select(h => (h, 25)).ToList();
        }

        return answer.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain ? [] : [(domain, 25)];
    }

    private static List<RemoteOutcome> All(IReadOnlyList<string> recipients, bool permanent, string reply) => SmtpTransaction.All(recipients, permanent, reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery through {Host}:{Port} failed: {Reason}")]
    private static partial void LogHostFailed(ILogger logger, string host, int port, string reason);
}
