using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Errors;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>The peer port of a real node, called over real TLS with real certificates.</summary>
public sealed class PeerTrustTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly FakePeerRegistry _registry = new();
    private TestNode _node = default!;

    private ClusterIdentity Identity => (ClusterIdentity)_node.Services.GetRequiredService<IClusterIdentity>();

    public async Task InitializeAsync() =>
        _node = await TestNode.StartAsync("trust", services => services.Replace(ServiceDescriptor.Singleton<IPeerRegistry>(_registry)));

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Digest_WithoutAClientCertificate_IsRefusedAndLogged()
    {
        using var channel = PeerChannel(clientCertificate: null);

        var e = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("no client certificate", e.Status.Detail);
        AssertRefusalLogged("no client certificate");
    }

    [Fact]
    public async Task Digest_WithACertificateOfAnotherCa_IsRefusedEvenForAListedThumbprint()
    {
        using var stranger = ForeignCertificate("member1");
        _registry.Add("member1", stranger);
        using var channel = PeerChannel(stranger);

        var e = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("certificate not issued by this distributed domain's CA", e.Status.Detail);
        AssertRefusalLogged("not issued by this distributed domain's CA");
    }

    [Fact]
    public async Task Digest_WithAnExpiredCertificateOfTheNodesCa_IsRefused()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = Issued("member2", now.AddDays(-30), now.AddMinutes(-1));
        _registry.Add("member2", expired);
        using var channel = PeerChannel(expired);

        var e = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.StartsWith("certificate expired on ", e.Status.Detail, StringComparison.Ordinal);
        AssertRefusalLogged("certificate expired on");
    }

    [Fact]
    public async Task Digest_FromANodeThatIsNotAMember_IsRefused()
    {
        using var outsider = Issued("outsider");
        using var channel = PeerChannel(outsider);

        var e = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.StartsWith("node 'outsider' is not a member of this distributed domain", e.Status.Detail, StringComparison.Ordinal);
        AssertRefusalLogged("node 'outsider' is not a member");
    }

    [Fact]
    public async Task Digest_FromAMember_SucceedsUntilItIsRemoved()
    {
        using var member = Issued("member3");
        _registry.Add("member3", member);
        using var channel = PeerChannel(member);

        Assert.NotNull(await DigestAsync(channel));

        // The same connection: membership is checked per call, not per handshake.
        _registry.Remove("member3");
        var e = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("login")]
    [InlineData("")]
    [InlineData("api/v1/node")]
    public async Task PeerPort_DoesNotServeTheConsole(string path)
    {
        using var member = Issued("member4");
        _registry.Add("member4", member);
        using var http = new HttpClient(Handler(member)) { Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{_node.PeerPort}/{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var onPeerPort = await http.SendAsync(request);
        using var console = _node.CreateClient();
        using var onConsolePort = await console.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, onPeerPort.StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, onConsolePort.StatusCode);
    }

    [Fact]
    public async Task ConsolePort_DoesNotServeThePeerServices()
    {
        using var channel = GrpcChannel.ForAddress(_node.BaseAddress);

        var peer = await Assert.ThrowsAsync<RpcException>(() => DigestAsync(channel));
        var join = await Assert.ThrowsAsync<RpcException>(async () => await new Join.JoinClient(channel).HelloAsync(new HelloRequest(), deadline: Deadline()));

        Assert.NotEqual(StatusCode.OK, peer.StatusCode);
        Assert.NotEqual(StatusCode.OK, join.StatusCode);
        using var console = _node.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task Bootstrap_SeesTheNodesFingerprint_AndTheCallIsLogged()
    {
        using var connection = Channels.Bootstrap("127.0.0.1", _node.PeerPort, pinnedFingerprint: null);
        Assert.Null(connection.ServerFingerprint);

        var hello = await connection.Client.HelloAsync(new HelloRequest { ProtocolVersion = ClusterProtocol.Version, NodeName = "joiner" }, deadline: Deadline());

        Assert.Equal("trust", hello.NodeName);
        Assert.Equal(Identity.Fingerprint, connection.ServerFingerprint);
        Assert.Contains(_node.Logs.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message.Contains("Join call /mailadmin.cluster.v1.Join/Hello from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bootstrap_WithTheConfirmedFingerprintInAnotherCase_Succeeds()
    {
        using var connection = Channels.Bootstrap("127.0.0.1", _node.PeerPort, Identity.Fingerprint.Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant());

        var hello = await connection.Client.HelloAsync(new HelloRequest(), deadline: Deadline());

        Assert.Equal("trust", hello.NodeName);
    }

    [Fact]
    public async Task Bootstrap_WithAnotherFingerprint_FailsWithFingerprintMismatch()
    {
        var confirmed = string.Join(':', Enumerable.Repeat("AB", 32));
        using var connection = Channels.Bootstrap("127.0.0.1", _node.PeerPort, confirmed);

        var e = await Assert.ThrowsAsync<MailAdminException>(async () => await connection.Client.HelloAsync(new HelloRequest(), deadline: Deadline()));

        Assert.Equal("fingerprint-mismatch", e.Code);
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains(Identity.Fingerprint, e.Message, StringComparison.Ordinal);
        Assert.Contains(confirmed, e.Message, StringComparison.Ordinal);
        Assert.Equal(Identity.Fingerprint, connection.ServerFingerprint);
    }

    [Fact]
    public async Task Bootstrap_ToAPortNobodyListensOn_IsAnInaccessibleHost()
    {
        var port = ClosedPort();
        using var connection = Channels.Bootstrap("127.0.0.1", port, pinnedFingerprint: null);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await connection.Client.HelloAsync(new HelloRequest(), deadline: Deadline()));
        var failure = PeerFailures.Translate(e, $"127.0.0.1:{port}");

        Assert.Equal("inaccessible-host", failure.Code);
        Assert.Equal(ErrorKind.Unavailable, failure.Kind);
        Assert.StartsWith($"Cannot reach 127.0.0.1:{port}: the connection was refused", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_BetweenMembersOfOneCa_CallsUntilTheCallerLeaves()
    {
        await using var slave = await TestNode.StartAsync("slave");
        var slaveIdentity = slave.Services.GetRequiredService<IClusterIdentity>();
        var request = slaveIdentity.CreateRequest("slave", ["127.0.0.1"]);
        slaveIdentity.Adopt(Identity.Issue(request, "slave", ["127.0.0.1"]), Identity.TrustRoot.RawData);
        _registry.Add("slave", slaveIdentity.Certificate);
        var channels = slave.Services.GetRequiredService<IPeerChannels>();

        Assert.NotNull(await channels.Peer("trust", "127.0.0.1", _node.PeerPort).DigestAsync(new DigestRequest(), deadline: Deadline()));
        Assert.Same(channels.Peer("trust", "127.0.0.1", _node.PeerPort), channels.Peer("trust", "127.0.0.1", _node.PeerPort));

        // The callee must be the node the caller meant, not any member.
        var impostor = await Assert.ThrowsAsync<RpcException>(async () => await channels.Peer("master", "127.0.0.1", _node.PeerPort).DigestAsync(new DigestRequest(), deadline: Deadline()));
        Assert.Equal("inaccessible-host", PeerFailures.Translate(impostor, "master").Code);
        Assert.Contains(slave.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("certificate names 'trust', not 'master'", StringComparison.Ordinal));

        // Back to its own CA, the slave no longer trusts the master, even on a channel it had open.
        slaveIdentity.Reset();
        var left = await Assert.ThrowsAsync<RpcException>(async () => await channels.Peer("trust", "127.0.0.1", _node.PeerPort).DigestAsync(new DigestRequest(), deadline: Deadline()));
        Assert.Equal("inaccessible-host", PeerFailures.Translate(left, "trust").Code);
        Assert.Contains(slave.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("not issued by this distributed domain's CA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewIdentity_IsPresentedAtTheNextHandshakeWithoutRestart()
    {
        var before = Identity.Fingerprint;

        Identity.Reset();

        using var connection = Channels.Bootstrap("127.0.0.1", _node.PeerPort, pinnedFingerprint: null);
        await connection.Client.HelloAsync(new HelloRequest(), deadline: Deadline());
        Assert.NotEqual(before, connection.ServerFingerprint);
        Assert.Equal(Identity.Fingerprint, connection.ServerFingerprint);
    }

    [Fact]
    public async Task Restart_KeepsTheNodesCertificate()
    {
        var before = Identity.Thumbprint;

        await _node.RestartAsync();

        Assert.Equal(before, Identity.Thumbprint);
        using var connection = Channels.Bootstrap("127.0.0.1", _node.PeerPort, Identity.Fingerprint);
        Assert.Equal("trust", (await connection.Client.HelloAsync(new HelloRequest(), deadline: Deadline())).NodeName);
    }

    private IPeerChannels Channels => _node.Services.GetRequiredService<IPeerChannels>();

    private static DateTime Deadline() => DateTime.UtcNow.Add(Timeout);

    private static async Task<DigestReply> DigestAsync(GrpcChannel channel) =>
        await new Peer.PeerClient(channel).DigestAsync(new DigestRequest(), deadline: Deadline());

    private void AssertRefusalLogged(string reason) =>
        Assert.Contains(_node.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.StartsWith("Refused peer call /mailadmin.cluster.v1.Peer/Digest from 127.0.0.1:", StringComparison.Ordinal)
            && r.Message.Contains(reason, StringComparison.Ordinal));

    /// <summary>A client that trusts only this node's certificate and offers <paramref name="clientCertificate"/>, if any.</summary>
    private SocketsHttpHandler Handler(X509Certificate2? clientCertificate)
    {
        var expected = Identity.Thumbprint;
        return new SocketsHttpHandler
        {
            ConnectTimeout = Timeout,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && PeerCertificates.Thumbprint(c) == expected,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
            },
        };
    }

    private GrpcChannel PeerChannel(X509Certificate2? clientCertificate) =>
        GrpcChannel.ForAddress($"https://127.0.0.1:{_node.PeerPort}", new GrpcChannelOptions { HttpHandler = Handler(clientCertificate), DisposeHttpClient = true });

    /// <summary>A certificate signed by the test node's CA, for <paramref name="nodeName"/>.</summary>
    private X509Certificate2 Issued(string nodeName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var der = notBefore is { } from && notAfter is { } to
            ? Identity.Issue(request, nodeName, ["127.0.0.1"], from, to)
            : Identity.Issue(request, nodeName, ["127.0.0.1"]);
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>A certificate shaped like a peer's, from a CA this node never met.</summary>
    private static X509Certificate2 ForeignCertificate(string nodeName)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MailAdmin CA elsewhere", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
        return leaf.CopyWithPrivateKey(key);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Membership as a test sets it; the real one comes from the master's document.</summary>
    private sealed class FakePeerRegistry : IPeerRegistry
    {
        private readonly ConcurrentDictionary<string, string> _members = new(StringComparer.OrdinalIgnoreCase);

        public void Add(string nodeName, X509Certificate2 certificate) => _members[nodeName] = PeerCertificates.Thumbprint(certificate);

        public void Remove(string nodeName) => _members.TryRemove(nodeName, out _);

        public bool IsTrustedPeer(string nodeName, string thumbprint) =>
            _members.TryGetValue(nodeName, out var known) && string.Equals(known, thumbprint, StringComparison.OrdinalIgnoreCase);
    }
}
