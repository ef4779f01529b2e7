using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// Reads and writes the node's cluster tables, and keeps <see cref="ClusterState"/> (what
/// peer authentication and mail routing read) in step with them after every change.
/// </summary>
public sealed class ClusterStore(IDbContextFactory<NodeDbContext> databases, ClusterState state, NodeOptions node)
{
    internal static string RoleName(NodeRole role) => role.ToString().ToLowerInvariant();

    internal static NodeRole ParseRole(string? role) => role switch
    {
        "master" => NodeRole.Master,
        "slave" => NodeRole.Slave,
        _ => NodeRole.Standalone,
    };

    /// <summary>The node's own row, made on first use with a fresh node id.</summary>
    internal static async Task<ClusterRecord> RecordAsync(NodeDbContext db, CancellationToken cancellationToken)
    {
        var record = await db.Cluster.SingleOrDefaultAsync(c => c.Id == ClusterRecord.SingletonId, cancellationToken);
        if (record is null)
        {
            record = new ClusterRecord { NodeId = Guid.NewGuid().ToString("N"), Role = RoleName(NodeRole.Standalone) };
            db.Cluster.Add(record);
            await db.SaveChangesAsync(cancellationToken);
        }

        return record;
    }

    public async Task<string> NodeIdAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return (await RecordAsync(db, cancellationToken)).NodeId;
    }

    /// <summary>Loads role, members and revocations into <see cref="ClusterState"/>.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var record = await RecordAsync(db, cancellationToken);
        var members = await db.ClusterMembers.AsNoTracking().ToListAsync(cancellationToken);
        var revoked = await db.RevokedCertificates.AsNoTracking().Select(r => r.Thumbprint).ToListAsync(cancellationToken);
        var peers = members
            .Where(m => !string.Equals(m.Name, node.Name, StringComparison.OrdinalIgnoreCase))
            .Select(ToPeer)
            .ToList();
        state.Publish(ParseRole(record.Role), record.MasterName, peers, revoked.ToHashSet(StringComparer.OrdinalIgnoreCase));
    }

    internal static PeerNode ToPeer(ClusterMember m) =>
        new(m.Name, m.Host, m.ClusterPort, m.SmtpPort, m.ConsoleUrl, m.IsMaster, m.CertificateThumbprint, m.SmtpThumbprint);

    internal static NodeEndpoint ToEndpoint(ClusterMember m) => new()
    {
        Name = m.Name,
        Host = m.Host,
        ClusterPort = m.ClusterPort,
        SmtpPort = m.SmtpPort,
        ConsoleUrl = m.ConsoleUrl,
        CertificateThumbprint = m.CertificateThumbprint,
        SmtpCertificateThumbprint = m.SmtpThumbprint,
    };

    /// <summary>Copies what a member says about itself (its ports change when it restarts) into its row.</summary>
    internal static bool Apply(ClusterMember member, NodeEndpoint endpoint)
    {
        var changed = member.Host != endpoint.Host || member.ClusterPort != endpoint.ClusterPort || member.SmtpPort != endpoint.SmtpPort
            || member.ConsoleUrl != endpoint.ConsoleUrl || member.SmtpThumbprint != endpoint.SmtpCertificateThumbprint;
        member.Host = endpoint.Host;
        member.ClusterPort = endpoint.ClusterPort;
        member.SmtpPort = endpoint.SmtpPort;
        member.ConsoleUrl = endpoint.ConsoleUrl;
        member.SmtpThumbprint = endpoint.SmtpCertificateThumbprint;
        return changed;
    }
}
