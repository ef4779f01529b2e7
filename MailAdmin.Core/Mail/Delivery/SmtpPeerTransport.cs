using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Queue;
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
/// <remarks>
/// A connection whose transaction went through is kept (<see cref="PeerConnectionPool"/>) for
/// the next message to the same node at the same address with the same certificates, for up
/// to <see cref="MaxConnectionAge"/> after it was opened: between nodes the handshakes, not
/// the messages, were most of the work. A kept connection the peer has closed meanwhile (it
/// restarted) fails at its first command, or finds the <c>421</c> the peer left on it as it
/// shut down; the message then goes over a new connection at once. Like any connection that breaks, that may repeat a message the peer had taken just
/// before: forwarding is at-least-once either way.
/// </remarks>
public sealed partial class SmtpPeerTransport : IPeerTransport, IDisposable
{
    /// <summary>How long a connection to a peer is reused, from when it was opened.</summary>
    public static readonly TimeSpan MaxConnectionAge = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly IServiceProvider _services;
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpPeerTransport> _logger;
    private readonly PeerConnectionPool _pool;

    public SmtpPeerTransport(IServiceProvider services, SmtpOptions options, QueueOptions queue, ILogger<SmtpPeerTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _services = services;
        _options = options;
        _logger = logger;

        // No more connections can be busy at once than messages are delivered at once.
        _pool = new PeerConnectionPool(queue.DeliveryConcurrency, MaxConnectionAge);
    }

    public async Task<IReadOnlyList<RemoteOutcome>> SendAsync(PeerNode peer, string? sender, IReadOnlyList<string> recipients, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(recipients);

        // Looked up only now: a node outside a distributed domain never gets here.
        var identity = _services.GetService<IClusterIdentity>();
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
        var server = $"node {peer.Name}";
        var key = string.Join('|', peer.Name, peer.Host, peer.SmtpPort, peer.SmtpThumbprint, identity.Certificate.Thumbprint);
        if (_pool.TryTake(key) is { } kept)
        {
            try
            {
                var outcomes = await SmtpTransaction.SendAsync(kept.Client, message, sender, recipients, server, cancellationToken, quit: false, closingThrows: true).ConfigureAwait(false);
                await KeepOrCloseAsync(key, kept, outcomes).ConfigureAwait(false);
                return outcomes;
            }
            catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e) || SmtpTransaction.IsClosing(e))
            {
                LogKeptConnectionBroke(_logger, peer.Name, e.Message);
                kept.Dispose();
                _pool.Clear(key);
            }
            catch
            {
                kept.Dispose();
                throw;
            }
        }

        string? presented = null;
        var connection = new PeerConnection(new PeerSmtpClient(identity.Certificate) { Timeout = (int)Timeout.TotalMilliseconds, LocalDomain = _options.HostName });
        var client = connection.Client;
        client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : CertificateThumbprints.Sha256(certificate);
            return string.Equals(presented, peer.SmtpThumbprint, StringComparison.OrdinalIgnoreCase);
        };
        try
        {
            await SmtpTransaction.ConnectAsync(client, peer.Host, peer.SmtpPort, SecureSocketOptions.StartTls, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SslHandshakeException e) when (presented is not null && !string.Equals(presented, peer.SmtpThumbprint, StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            LogWrongCertificate(_logger, peer.Name, peer.Host, peer.SmtpPort, presented, peer.SmtpThumbprint, e);
            return Deferred(recipients, $"451 4.7.0 {where} presented an SMTP certificate with SHA-256 thumbprint {presented}, not {peer.SmtpThumbprint} as the distributed domain announced; nothing was sent. Check that node's SMTP certificate.");
        }
        catch (NotSupportedException)
        {
            connection.Dispose();
            LogNoStartTls(_logger, peer.Name, peer.Host, peer.SmtpPort);
            return Deferred(recipients, $"451 4.7.0 {where} does not offer STARTTLS; mail between nodes is never sent in clear.");
        }
        catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            LogPeerUnreachable(_logger, peer.Name, peer.Host, peer.SmtpPort, e.Message);
            return Deferred(recipients, $"451 4.4.1 Cannot connect to {where} ({e.Message}); the mail waits until the node is back.");
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        try
        {
            var outcomes = await SmtpTransaction.SendAsync(client, message, sender, recipients, server, cancellationToken, quit: false).ConfigureAwait(false);
            await KeepOrCloseAsync(key, connection, outcomes).ConfigureAwait(false);
            return outcomes;
        }
        catch (Exception e) when (SmtpTransaction.IsConnectionFailure(e))
        {
            connection.Dispose();
            LogPeerUnreachable(_logger, peer.Name, peer.Host, peer.SmtpPort, e.Message);
            return Deferred(recipients, $"451 4.4.2 The connection to {where} broke during delivery ({e.Message}); will try again.");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => _pool.Dispose();

    /// <summary>A connection whose every recipient was taken serves the next message; any other is closed.</summary>
    private async Task KeepOrCloseAsync(string key, PeerConnection connection, IReadOnlyList<RemoteOutcome> outcomes)
    {
        if (outcomes.All(o => o.Delivered) && _pool.TryReturn(key, connection))
        {
            return;
        }

        // Not the caller's token: the message is the peer's already, and QUIT only tidies up.
        await SmtpTransaction.QuitAsync(connection.Client, CancellationToken.None).ConfigureAwait(false);
        connection.Dispose();
    }

    private static List<RemoteOutcome> Deferred(IReadOnlyList<string> recipients, string reply) => SmtpTransaction.All(recipients, permanent: false, reply);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Cannot forward mail to node {Node} at {Host}:{Port}: {Reason}")]
    private static partial void LogPeerUnreachable(ILogger logger, string node, string host, int port, string reason);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Node {Node} at {Host}:{Port} presented SMTP certificate {Presented}, not the announced {Expected}; nothing was sent to it.")]
    private static partial void LogWrongCertificate(ILogger logger, string node, string host, int port, string presented, string expected, Exception exception);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Error, Message = "Node {Node} at {Host}:{Port} does not offer STARTTLS; nothing was sent to it in clear.")]
    private static partial void LogNoStartTls(ILogger logger, string node, string host, int port);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "A kept connection to node {Node} was closed by that node ({Reason}); sending over a new one.")]
    private static partial void LogKeptConnectionBroke(ILogger logger, string node, string reason);

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
