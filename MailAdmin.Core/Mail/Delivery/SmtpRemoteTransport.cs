using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using MailKit;
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

        MimeMessage message;
        try
        {
            await using var content = openContent();
            message = await MimeMessage.LoadAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            return All(recipients, permanent: true, $"554 5.6.0 The message cannot be read ({e.Message}).");
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
            catch (Exception e) when (e is SocketException or IOException or SslHandshakeException or SmtpProtocolException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = $"451 4.4.1 Cannot connect to {host}:{port} ({e.Message}).";
                LogHostFailed(logger, host, port, e.Message);
                continue;
            }

            try
            {
                var from = sender is null ? new MailboxAddress(string.Empty, string.Empty) : MailboxAddress.Parse(sender);
                var to = recipients.Select(MailboxAddress.Parse).ToList();
                try
                {
                    await client.SendAsync(FormatOptions.Default, message, from, to, cancellationToken).ConfigureAwait(false);
                }
                catch (SmtpCommandException) when (recipients.All(client.Refused.ContainsKey))
                {
                    // Every recipient refused: MailKit gives up before DATA; each has its own reply.
                }

                await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
                var reply = $"250 2.0.0 Delivered to {host}.";
                return recipients.Select(r => client.Refused.TryGetValue(r, out var refusal)
                    ? new RemoteOutcome(r, false, refusal.StartsWith('5'), refusal)
                    : new RemoteOutcome(r, true, false, reply)).ToList();
            }
            catch (SmtpCommandException e)
            {
                var code = (int)e.StatusCode;
                var text = $"{code} {e.Message.Trim()}";
                return All(recipients, permanent: code >= 500, $"{host} said: {text}");
            }
            catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException)
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

    private static List<RemoteOutcome> All(IReadOnlyList<string> recipients, bool permanent, string reply) =>
        recipients.Select(r => new RemoteOutcome(r, false, permanent, reply)).ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery through {Host}:{Port} failed: {Reason}")]
    private static partial void LogHostFailed(ILogger logger, string host, int port, string reason);

    /// <summary>Keeps going past refused recipients (MailKit's default throws at the first) and notes each reply.</summary>
    private sealed class RecordingSmtpClient : SmtpClient
    {
        public Dictionary<string, string> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            Refused[mailbox.Address] = $"{(int)response.StatusCode} {response.Response}";
        }
    }
}
