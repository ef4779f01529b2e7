using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>
/// Mail from node to node (manual §4.3), over SMTP to the peer's incoming port at its public
/// host. STARTTLS is mandatory: a peer that does not offer it is sent nothing. This node shows
/// its cluster certificate (<see cref="IClusterIdentity.Certificate"/>) as the TLS client
/// certificate, which gives the session its peer rights on the other side, and accepts only
/// the server certificate whose SHA-256 thumbprint the distributed domain announced for that
/// node (<see cref="PeerNode.SmtpThumbprint"/>): a pin, so neither a CA nor a name is needed.
/// Whatever keeps the mail from the peer is temporary: it waits for the node to come back.
/// </summary>
public sealed partial class SmtpPeerTransport(IServiceProvider services, SmtpOptions options, ILogger<SmtpPeerTransport> logger) : IPeerTransport
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<RemoteOutcome>> SendAsync(PeerNode peer, string? sender, IReadOnlyList<string> recipients, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(recipients);

        // Looked up only now: a node outside a distributed domain never gets here.
        var identity = services.GetService<IClusterIdentity>();
        if (identity is null)
        {
            return Deferred(recipients, $"451 4.7.0 This node has no certificate of the distributed domain, so node {peer.Name} cannot tell it is a member; will try again.");
        }

        if (string.IsNullOrEmpty(peer.SmtpThumbprint))
        {
            return Deferred(recipients, $"451 4.7.0 Node {peer.Name} has not announced its SMTP certificate yet; will try again.");
        }

        var (message, unreadable) = await SmtpTransaction.LoadAsync(openContent, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return SmtpTransaction.All(recipients, permanent: true, unreadable!);
        }

        var where = $"node {peer.Name} at {peer.Host}:{peer.SmtpPort}";
        string? presented = null;
        using var client = new PeerSmtpClient(identity.Certificate) { Timeout = (int)Timeout.TotalMilliseconds, LocalDomain = options.HostName };
        client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : CertificateThumbprints.Sha256(certificate);
            return string.Equals(presented, peer.SmtpThumbprint, StringComparison.OrdinalIgnoreCase);
        };
        try
        {
            await client.ConnectAsync(peer.Host, peer.SmtpPort, SecureSocketOptions.StartTls, cancellationToken).ConfigureAwait(false);
        }
        catch (SslHandshakeException e) when (presented is not null && !string.Equals(presented, peer.SmtpThumbprint, StringComparison.OrdinalIgnoreCase))
        {
            LogWrongCertificate(logger, peer.Name, peer.Host, peer.SmtpPort, presented, peer.SmtpThumbprint, e);
            return Deferred(recipients, $"451 4.7.0 {where} presented an SMTP certificate with SHA-256 thumbprint {presented}, not {peer.SmtpThumbprint} as the distributed domain announced; nothing was sent. Check that node's SMTP certificate.");
        }
        catch (NotSupportedException)
        {
            LogNoStartTls(logger, peer.Name, peer.Host, peer.SmtpPort);
            return Deferred(recipients, $"451 4.7.0 {where} does not offer STARTTLS; mail between nodes is never sent in clear.");
        }
        catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPeerUnreachable(logger, peer.Name, peer.Host, peer.SmtpPort, e.Message);
            return Deferred(recipients, $"451 4.4.1 Cannot connect to {where} ({e.Message}); the mail waits until the node is back.");
        }

        try
        {
            return await SmtpTransaction.SendAsync(client, message, sender, recipients, $"node {peer.Name}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e))
        {
            LogPeerUnreachable(logger, peer.Name, peer.Host, peer.SmtpPort, e.Message);
            return Deferred(recipients, $"451 4.4.2 The connection to {where} broke during delivery ({e.Message}); will try again.");
        }
    }

    private static List<RemoteOutcome> Deferred(IReadOnlyList<string> recipients, string reply) => SmtpTransaction.All(recipients, permanent: false, reply);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Cannot forward mail to node {Node} at {Host}:{Port}: {Reason}")]
    private static partial void LogPeerUnreachable(ILogger logger, string node, string host, int port, string reason);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Node {Node} at {Host}:{Port} presented SMTP certificate {Presented}, not the announced {Expected}; nothing was sent to it.")]
    private static partial void LogWrongCertificate(ILogger logger, string node, string host, int port, string presented, string expected, Exception exception);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Error, Message = "Node {Node} at {Host}:{Port} does not offer STARTTLS; nothing was sent to it in clear.")]
    private static partial void LogNoStartTls(ILogger logger, string node, string host, int port);

    /// <summary>Always shows this node's certificate, whatever CAs the peer lists as acceptable.</summary>
    private sealed class PeerSmtpClient(X509Certificate2 certificate) : RecordingSmtpClient
    {
        protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback)
        {
            var tls = base.GetSslClientAuthenticationOptions(host, remoteCertificateValidationCallback);
            tls.ClientCertificates = null;
            tls.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
            return tls;
        }
    }
}
