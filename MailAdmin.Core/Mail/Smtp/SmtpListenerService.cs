using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Listens on the incoming and the submission ports and runs one <see cref="SmtpSession"/> per
/// connection, up to <see cref="SmtpOptions.MaxSessions"/> at once.
/// <para>
/// Stopping closes the listening sockets, then tells every session to end: a session waiting
/// for its client answers <c>421 4.3.2</c> and closes, one committing a message finishes it
/// first. Only when the host's shutdown time runs out is work in flight cancelled (a message not
/// yet answered <c>250</c> is then simply not taken).
/// </para>
/// </summary>
public sealed class SmtpListenerService(
    SmtpOptions options,
    NodeOptions node,
    SmtpEndpoints endpoints,
    IMessageSpool spool,
    IRecipientPolicy recipientPolicy,
    ISmtpAuthenticator authenticator,
    SmtpAuthRule authRule,
    TimeProvider time,
    ILogger<SmtpListenerService> logger,
    IPeerCertificateCheck? peerCheck = null,
    IClusterTopology? topology = null) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<long, Task> _sessions = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly List<Socket> _listeners = [];
    private X509Certificate2? _certificate;
    private SmtpSessionServices? _services;
    private long _nextSession;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _certificate = SmtpCertificate.Load(options, node, logger);
        var context = SslStreamCertificateContext.Create(_certificate, additionalCertificates: null);
        var tls = new SslServerAuthenticationOptions { ServerCertificateContext = context, ClientCertificateRequired = false };
        var peerTls = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ClientCertificateRequired = true,
#pragma warning disable CA5359 // Asked, not required: any client may still use TLS. Whether a certificate makes its sender a peer is IPeerCertificateCheck's decision, after the handshake.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
        };
        _services = new SmtpSessionServices(options, spool, recipientPolicy, authenticator, authRule, tls, peerTls, peerCheck, topology, time, logger);

        var incoming = Bind(options.Port, "Smtp:Port");
        var submission = Bind(options.SubmissionPort, "Smtp:SubmissionPort");
        endpoints.Set(incoming, submission, CertificateThumbprints.Sha256(_certificate));
        foreach (var (socket, port) in new[] { (_listeners[0], SmtpPort.Incoming), (_listeners[1], SmtpPort.Submission) })
        {
            logger.Listening(port, (IPEndPoint)socket.LocalEndPoint!);
            _acceptLoops.Add(AcceptAsync(socket, port));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops);
        try
        {
            await Task.WhenAll(_sessions.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await _abort.CancelAsync();
            await Task.WhenAll(_sessions.Values);
        }

        endpoints.Clear();
    }

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        _stopping.Dispose();
        _abort.Dispose();
        _certificate?.Dispose();
    }

    private IPEndPoint Bind(int portNumber, string setting)
    {
        var address = options.ListenAddress;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, portNumber));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var problem = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"port {portNumber} on {address} is in use by another program. Choose a free port, or stop the program that holds it."
                : $"cannot listen on {address} port {portNumber} ({e.Message.TrimEnd('.')}). Choose an address of this machine (Smtp:ListenAddress) and a port the node may use.";
            throw new InvalidSettingException(setting, problem);
        }

        _listeners.Add(socket);
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private async Task AcceptAsync(Socket listener, SmtpPort port)
    {
        // Off the caller's thread: StartAsync returns once both ports are bound.
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted, or the system is out of descriptors: keep listening.
                logger.AcceptFailed((IPEndPoint)listener.LocalEndPoint!, e);
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextSession);
            if (_sessions.Count >= options.MaxSessions)
            {
                logger.TooBusy((IPEndPoint)socket.RemoteEndPoint!, _sessions.Count);
                _sessions[id] = RefuseAsync(socket, id);
                continue;
            }

            _sessions[id] = RunSessionAsync(socket, port, id);
        }
    }

    private async Task RunSessionAsync(Socket socket, SmtpPort port, long id)
    {
        await Task.Yield();
        try
        {
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            if (remote.Address.IsIPv4MappedToIPv6)
            {
                remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
            }

            logger.SessionStarted(id, remote, port);
            await using var connection = new SmtpConnection(socket, options.IdleTimeout, time, _stopping.Token);
            try
            {
                await new SmtpSession(connection, _services!, port, remote, id).RunAsync(_abort.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away, or stopped reading our replies, or the node must stop now.
                logger.SessionEnded(id, e.Message);
            }
        }
        catch (Exception e)
        {
            logger.SessionFailed(id, e);
        }
        finally
        {
            _sessions.TryRemove(id, out _);
        }
    }

    private async Task RefuseAsync(Socket socket, long id)
    {
        try
        {
            await using var connection = new SmtpConnection(socket, TimeSpan.FromSeconds(5), time, _stopping.Token);
            connection.Write(SmtpReplies.TooBusy);
            await connection.CloseAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away first.
        }
        finally
        {
            _sessions.TryRemove(id, out _);
        }
    }
}
