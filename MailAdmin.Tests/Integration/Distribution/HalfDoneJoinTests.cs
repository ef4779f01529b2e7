using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Storage;
using MailAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>A join is finished or rolled back on both sides, never left half-way.</summary>
public sealed class HalfDoneJoinTests : IAsyncLifetime
{
    private TestNode _hq = default!;
    private TestNode _ny = default!;

    public async Task InitializeAsync()
    {
        _hq = await TestNode.StartAsync("hq", ClusterSteps.NodeArgs);
        _ny = await TestNode.StartAsync("ny", ClusterSteps.NodeArgs);
    }

    public async Task DisposeAsync()
    {
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
    }

    [Fact]
    public async Task JoinTheSlaveNeverConfirmed_IsUndoneOnTheMaster_AndItsCertificateRevoked()
    {
        var factory = _hq.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>();
        var stale = DateTimeOffset.UtcNow - MembershipService.PendingLifetime - TimeSpan.FromMinutes(1);
        await using (var db = await factory.CreateDbContextAsync())
        {
            var record = await db.Cluster.SingleAsync();
            record.Role = "master";
            record.MasterName = "hq";
            db.ClusterMembers.Add(new ClusterMember { Name = "hq", Host = "127.0.0.1", IsMaster = true, State = MemberStates.Active, JoinedAt = stale, CertificateThumbprint = "a" });
            db.ClusterMembers.Add(new ClusterMember { Name = "ny", Host = "127.0.0.1", State = MemberStates.Pending, JoinedAt = stale, CertificateThumbprint = "b1" });
            await db.SaveChangesAsync();
        }

        await _hq.Services.GetRequiredService<MembershipService>().ExpirePendingAsync(CancellationToken.None);

        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Equal("standalone", (await db.Cluster.SingleAsync()).Role);
            Assert.Empty(await db.ClusterMembers.ToListAsync());
        }

        Assert.False(_hq.Services.GetRequiredService<IPeerRegistry>().IsTrustedPeer("ny", "b1"));
        Assert.Contains(_hq.Logs.GetSnapshot(), r => r.Message.Contains("ny never confirmed its join", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SlaveStoppedAfterTakingTheCertificate_ButBeforeRecordingTheJoin_StandsAloneWithItsOwnCertificateAfterARestart()
    {
        var hqIdentity = _hq.Services.GetRequiredService<IClusterIdentity>();
        var nyIdentity = _ny.Services.GetRequiredService<IClusterIdentity>();
        var request = nyIdentity.CreateRequest("ny", ["127.0.0.1"]);
        nyIdentity.Adopt(hqIdentity.Issue(request, "ny", ["127.0.0.1"]), hqIdentity.TrustRoot.RawData);
        Assert.False(nyIdentity.OwnsTrustRoot);

        await _ny.RestartAsync();

        var identity = _ny.Services.GetRequiredService<IClusterIdentity>();
        await MailAdmin.Tests.Infrastructure.Mail.MailTestExtensions.WaitUntilAsync(() => identity.OwnsTrustRoot, "ny trusts its own CA again");
        Assert.Equal("standalone", await ClusterSteps.RoleAsync(await _ny.SignedInClientAsync()));
        Assert.NotEqual(hqIdentity.TrustRoot.Thumbprint, identity.TrustRoot.Thumbprint);
    }
}
