using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using MailAdmin.Core.Distribution.Protocol;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// Clients of other nodes' peer ports. A member's channel is made once and reused (HTTP/2
/// multiplexes the calls); it is made again when the member's address changes, and every
/// channel is dropped when this node's identity changes, since its client certificate and
/// trusted CA changed with it. The certificate offered in a handshake is always the current one.
/// </summary>
public sealed partial class PeerChannels : IPeerChannels, IDisposable
{
    /// <summary>A node's document lists every mailbox it hosts: gRPC's 4 MB default is too small for a large domain.</summary>
    public const int MaxMessageSize = 32 * 1024 * 1024;

    private readonly IClusterIdentity _identity;
    private readonly PeerCertificateValidator _validator;
    private readonly ILogger<PeerChannels> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberChannel> _members = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    public PeerChannels(IClusterIdentity identity, PeerCertificateValidator validator, ILogger<PeerChannels> logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _identity = identity;
        _validator = validator;
        _logger = logger;
        _identity.Changed += OnIdentityChanged;
    }

    public Peer.PeerClient Peer(string nodeName, string host, int port) => Member(nodeName, host, port).Client;

    public Migration.MigrationClient Migration(string nodeName, string host, int port) => Member(nodeName, host, port).Migration;

    public Administration.AdministrationClient Administration(string nodeName, string host, int port) => Member(nodeName, host, port).Administration;

    public Protocol.Calendar.CalendarClient Calendar(string nodeName, string host, int port) => Member(nodeName, host, port).Calendar;

    private MemberChannel Member(string nodeName, string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        var address = Address(host, port);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_members.TryGetValue(nodeName, out var known) && known.Address == address)
            {
                return known;
            }

            var channel = Open(address, Handler((_, certificate, _, _) => AcceptMember(certificate as X509Certificate2, nodeName, address)));
            var member = new MemberChannel(address, channel, new Peer.PeerClient(channel), new Migration.MigrationClient(channel), new Administration.AdministrationClient(channel), new Protocol.Calendar.CalendarClient(channel));
            _members[nodeName] = member;
            known?.Channel.Dispose();
            return member;
        }
    }

    public IBootstrapConnection Bootstrap(string host, int port, string? pinnedFingerprint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var address = Address(host, port);
        return new BootstrapConnection(pinnedFingerprint, validate => Open(address, Handler(validate)));
    }

    public void Dispose()
    {
        _identity.Changed -= OnIdentityChanged;
        lock (_gate)
        {
            _disposed = true;
            DropAll();
        }
    }

    /// <summary><c>https://host:port</c>, with an IPv6 literal in brackets.</summary>
    internal static Uri Address(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var bare = host.Trim('[', ']');
        var literal = IPAddress.TryParse(bare, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bare}]" : bare;
        return new Uri($"https://{literal}:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    private static GrpcChannel Open(Uri address, SocketsHttpHandler handler) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
        });

    private SocketsHttpHandler Handler(RemoteCertificateValidationCallback validate) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),

        // Members call each other every few seconds (anti-entropy): keep the connection between.
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        SslOptions = new SslClientAuthenticationOptions
        {
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _identity.Certificate,
            RemoteCertificateValidationCallback = validate,
        },
    };

    /// <summary>The private CA makes the platform report chain errors; the trust decision is the validator's alone.</summary>
    private bool AcceptMember(X509Certificate2? certificate, string nodeName, Uri address)
    {
        if (_validator.CheckServer(certificate, nodeName) is not { } refusal)
        {
            return true;
        }

        LogServerRefused(_logger, nodeName, address.Authority, refusal);
        return false;
    }

    private void OnIdentityChanged(object? sender, EventArgs e)
    {
        lock (_gate)
        {
            DropAll();
        }
    }

    private void DropAll()
    {
        foreach (var member in _members.Values)
        {
            member.Channel.Dispose();
        }

        _members.Clear();
    }

    [LoggerMessage(EventId = 6121, Level = LogLevel.Warning, Message = "Refused the peer port of {NodeName} at {Address}: {Reason}.")]
    private static partial void LogServerRefused(ILogger logger, string nodeName, string address, string reason);

    private sealed record MemberChannel(Uri Address, GrpcChannel Channel, Peer.PeerClient Client, Migration.MigrationClient Migration, Administration.AdministrationClient Administration, Protocol.Calendar.CalendarClient Calendar);
}
