using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// Who belongs to the distributed domain. The master confirms joined nodes, removes nodes
/// that leave (revoking their certificates) and dissolves the domain when its last slave
/// has gone; a slave that leaves, or learns the master removed it, becomes standalone and
/// keeps its own mailboxes in a local domain of the same name (manual, chapter 7).
/// </summary>
public sealed partial class MembershipService(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    ClusterState state,
    ClusterStore store,
    DocumentApplier applier,
    IClusterIdentity identity,
    AuditLog audit,
    TimeProvider clock,
    ILogger<MembershipService> logger)
{
    /// <summary>A join the slave never confirmed is undone on the master after this long.</summary>
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    /// <summary>
    /// At start, before anything that reads the node's standing runs (the SMTP listeners, the
    /// delivery agent, the peer port, replication): loads role, master, members and revocations
    /// into <see cref="ClusterState"/>, and undoes a join that stopped between taking the
    /// master's certificate and recording the membership. Until this has run the node takes
    /// itself for standalone: it would deliver here mail for mailboxes homed on other nodes and
    /// refuse its peers.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        // No catch: a node that cannot tell its role must not start (as standalone it would deliver other nodes' mail here).
        await store.RefreshAsync(cancellationToken);
        if (state.Role == NodeRole.Standalone && !identity.OwnsTrustRoot)
        {
            LogUnfinishedJoinUndone(logger);
            identity.Reset();
        }
    }

    /// <summary>On the master: a joined node has its certificate and says it is ready.</summary>
    public async Task ConfirmAsync(string nodeName, CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var member = await db.ClusterMembers.SingleOrDefaultAsync(m => m.Name == nodeName, cancellationToken);
            if (member is null || member.State == MemberStates.Active)
            {
                return;
            }

            member.State = MemberStates.Active;
            member.LastContactAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }

        LogConfirmed(logger, nodeName);
        await audit.RecordAsync($"node:{nodeName}", nodeName, "cluster.join.confirm", nodeName, AuditLog.Success, cancellationToken);
        await store.RefreshAsync(cancellationToken);
    }

    /// <summary>On the master: a slave leaves. Its certificate is revoked; without slaves the domain is dissolved.</summary>
    public async Task RemoveAsync(string nodeName, CancellationToken cancellationToken)
    {
        var dissolved = false;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var member = await db.ClusterMembers.SingleOrDefaultAsync(m => m.Name == nodeName, cancellationToken);
            if (member is null)
            {
                return;
            }

            if (!await db.RevokedCertificates.AnyAsync(r => r.Thumbprint == member.CertificateThumbprint, cancellationToken))
            {
                db.RevokedCertificates.Add(new RevokedCertificate { Thumbprint = member.CertificateThumbprint, NodeName = nodeName, RevokedAt = clock.GetUtcNow() });
            }

            db.ClusterMembers.Remove(member);
            db.PeerDocuments.RemoveRange(db.PeerDocuments.Where(d => d.Owner == nodeName));
            await db.SaveChangesAsync(cancellationToken);
            if (!await db.ClusterMembers.AnyAsync(m => m.Name != node.Name, cancellationToken))
            {
                await DissolveAsync(db, cancellationToken);
                dissolved = true;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await audit.RecordAsync($"node:{nodeName}", nodeName, "cluster.leave", nodeName, AuditLog.Success, cancellationToken);
        LogLeft(logger, nodeName, dissolved);
        await applier.ApplyAsync(cancellationToken);
    }

    /// <summary>On the master: joins that were never confirmed are rolled back.</summary>
    public async Task ExpirePendingAsync(CancellationToken cancellationToken)
    {
        List<string> expired;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var record = await ClusterStore.RecordAsync(db, cancellationToken);
            if (ClusterStore.ParseRole(record.Role) != NodeRole.Master)
            {
                return;
            }

            var limit = clock.GetUtcNow() - PendingLifetime;
            expired = await db.ClusterMembers.Where(m => m.State == MemberStates.Pending && m.JoinedAt < limit).Select(m => m.Name).ToListAsync(cancellationToken);
        }

        foreach (var name in expired)
        {
            LogPendingExpired(logger, name);
            await RemoveAsync(name, cancellationToken);
        }
    }

    /// <summary>
    /// This node stands alone again: its distributed domains become local domains with the
    /// mailboxes it hosts; what other nodes host is forgotten; its certificate is its own again.
    /// </summary>
    public async Task LeaveLocallyAsync(CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await DissolveAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        identity.Reset();
        await store.RefreshAsync(cancellationToken);
    }

    /// <summary>Back to standalone in the open transaction: local domains, no peers, no rows of other nodes.</summary>
    private async Task DissolveAsync(NodeDbContext db, CancellationToken cancellationToken)
    {
        var record = await ClusterStore.RecordAsync(db, cancellationToken);
        record.Role = ClusterStore.RoleName(NodeRole.Standalone);
        record.MasterName = null;
        foreach (var domain in await db.Domains.Where(d => d.IsDistributed).ToListAsync(cancellationToken))
        {
            domain.IsDistributed = false;
            domain.SettingsVersion = 0;
        }

        db.Users.RemoveRange(db.Users.Where(u => u.Source == UserSource.Directory && u.HomeServer != node.Name));
        db.Aliases.RemoveRange(db.Aliases.Where(a => a.HomeServer != null));
        db.MailingLists.RemoveRange(db.MailingLists.Where(l => l.HomeServer != null));
        db.Resources.RemoveRange(db.Resources.Where(r => r.HomeServer != null));
        db.ClusterMembers.RemoveRange(db.ClusterMembers);
        db.PeerDocuments.RemoveRange(db.PeerDocuments);
        db.RevokedCertificates.RemoveRange(db.RevokedCertificates);
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "A join to a distributed domain was interrupted before it was recorded: this server keeps standing alone, with its own certificate.")]
    private static partial void LogUnfinishedJoinUndone(ILogger logger);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "{Node} confirmed its join: it is an active member now.")]
    private static partial void LogConfirmed(ILogger logger, string node);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "{Node} left the distributed domain; its certificate is revoked. Dissolved: {Dissolved}.")]
    private static partial void LogLeft(ILogger logger, string node, bool dissolved);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "{Node} never confirmed its join: it is removed again.")]
    private static partial void LogPendingExpired(ILogger logger, string node);
}
