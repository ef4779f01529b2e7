using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Nodes;
using MailAdmin.Tests.Infrastructure.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Unit.Mail;

/// <summary>The engine's own peer check, with real certificates from a test CA.</summary>
public sealed class ClusterPeerCertificateCheckTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("company.com CA");
    private readonly TestCertificateAuthority _foreign = TestCertificateAuthority.Create("company.com CA");
    private readonly TestClusterTopology _topology = new(NodeRole.Master, "hq");

    public void Dispose()
    {
        _ca.Dispose();
        _foreign.Dispose();
    }

    [Fact]
    public void TryAuthenticate_AMembersCertificate_NamesTheNode()
    {
        using var seattle = _ca.Issue("seattle");
        Member("seattle", seattle);

        Assert.True(Check().TryAuthenticate(seattle, out var node, out var reason), reason);
        Assert.Equal("seattle", node);
    }

    [Fact]
    public void TryAuthenticate_TheSameNameFromAnotherCa_IsRefused()
    {
        using var seattle = _ca.Issue("seattle");
        using var impostor = _foreign.Issue("seattle");
        Member("seattle", seattle);

        Assert.False(Check().TryAuthenticate(impostor, out var node, out var reason));
        Assert.Empty(node);
        Assert.Contains("not issued by this distributed domain's CA", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAuthenticate_ACertificateOfTheCaThatNoMemberHas_IsRefused()
    {
        using var seattle = _ca.Issue("seattle");
        using var other = _ca.Issue("seattle");
        Member("seattle", seattle);

        Assert.False(Check().TryAuthenticate(other, out _, out var reason));
        Assert.Contains("is not a member", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAuthenticate_ACertificateNotForClientAuthentication_IsRefused()
    {
        using var serverOnly = _ca.Issue("seattle", ["1.3.6.1.5.5.7.3.1"]);
        Member("seattle", serverOnly);

        Assert.False(Check().TryAuthenticate(serverOnly, out _, out var reason));
        Assert.Contains("client authentication", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAuthenticate_AnExpiredCertificate_IsRefused()
    {
        using var expired = _ca.Issue("seattle", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        Member("seattle", expired);

        Assert.False(Check().TryAuthenticate(expired, out _, out var reason));
        Assert.Contains("expired", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAuthenticate_OnANodeWithoutClusterIdentity_NobodyIsAPeer()
    {
        using var seattle = _ca.Issue("seattle");
        Member("seattle", seattle);
        var services = new ServiceCollection().AddSingleton<IPeerRegistry>(_topology).BuildServiceProvider();

        Assert.False(new ClusterPeerCertificateCheck(services).TryAuthenticate(seattle, out _, out var reason));
        Assert.Contains("no distributed domain", reason, StringComparison.Ordinal);
        Assert.False(Check().TryAuthenticate(null, out _, out _));
    }

    private ClusterPeerCertificateCheck Check()
    {
        var identity = new TestClusterIdentity(_ca.Issue("hq"), _ca.PublicRoot());
        var services = new ServiceCollection()
            .AddSingleton<IClusterIdentity>(identity)
            .AddSingleton<IPeerRegistry>(_topology)
            .BuildServiceProvider();
        return new ClusterPeerCertificateCheck(services);
    }

    private void Member(string name, X509Certificate2 certificate) =>
        _topology.SetPeer(new PeerNode(name, "127.0.0.1", 0, 0, string.Empty, IsMaster: false, CertificateThumbprints.Sha256(certificate), "unused"));
}
