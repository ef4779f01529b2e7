using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution;

/// <summary>A peer as this node last saw it: reachable or not, and why.</summary>
public sealed record PeerReachability(bool Reachable, string? Error, DateTimeOffset At);

/// <summary>
/// Keeps every member's copy of every document current. This node's own document is
/// recomputed whenever its database changes and pushed to every peer; every
/// <see cref="ClusterOptions.AntiEntropyInterval"/> each peer's digest is compared and
/// whatever is newer fetched, so a node that was down catches up by itself.
/// </summary>
public sealed partial class Replication(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    ClusterOptions options,
    ClusterState state,
    OwnDocument own,
    DocumentApplier applier,
    MembershipService membership,
    IPeerChannels channels,
    LocalEndpoints endpoints,
    TimeProvider clock,
    ILogger<Replication> logger) : BackgroundService
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, PeerReachability> _reachability = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What this node knows of each peer's reachability.</summary>
    public PeerReachability? ReachabilityOf(string nodeName) => _reachability.GetValueOrDefault(nodeName);

    /// <summary>
    /// Pushes this node's current document to every peer now and returns when each has answered
    /// or failed: a migration's commit reaches the other nodes before it goes on.
    /// </summary>
    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var (document, _) = await own.CurrentAsync(cancellationToken);
        await PushAllAsync(document, cancellationToken);
    }

    /// <summary>Asks for an immediate round (after a join, a change an administrator made).</summary>
    public void Nudge() => _wake.Release();

    /// <summary>Stores documents a peer sent (newer versions only), applies them and notes the peer is up.</summary>
    /// <remarks>
    /// Once stored, a document is applied even if the caller stops waiting (a peer's deadline on a
    /// loaded machine): the stored version is what this node will claim to have, so leaving it
    /// unapplied would hide it until the peer's next change.
    /// </remarks>
    public async Task<bool> ReceiveAsync(string from, IEnumerable<NodeDocument> documents, CancellationToken cancellationToken)
    {
        var stored = await StoreAsync(documents, cancellationToken);
        if (stored)
        {
            await applier.ApplyAsync(_stopping.Token);
        }

        MarkReachable(from);
        return stored;
    }

    /// <summary>Keeps the documents newer than the stored ones; true when any was.</summary>
    public async Task<bool> StoreAsync(IEnumerable<NodeDocument> documents, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = false;
        foreach (var document in documents.Where(d => !string.Equals(d.Owner, node.Name, StringComparison.OrdinalIgnoreCase)))
        {
            var row = await db.PeerDocuments.SingleOrDefaultAsync(d => d.Owner == document.Owner, cancellationToken);
            if (row is not null && row.Version >= document.Version)
            {
                continue;
            }

            if (row is null)
            {
                db.PeerDocuments.Add(new PeerDocumentRecord { Owner = document.Owner, Version = document.Version, Payload = document.ToByteArray(), ReceivedAt = clock.GetUtcNow() });
            }
            else
            {
                row.Version = document.Version;
                row.Payload = document.ToByteArray();
                row.ReceivedAt = clock.GetUtcNow();
            }

            stored = true;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (stored)
        {
            applier.MarkBehind();
        }

        return stored;
    }

    public async Task<IReadOnlyDictionary<string, long>> VersionsAsync(CancellationToken cancellationToken)
    {
        var (document, _) = await own.CurrentAsync(cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var versions = await db.PeerDocuments.AsNoTracking().ToDictionaryAsync(d => d.Owner, d => d.Version, StringComparer.OrdinalIgnoreCase, cancellationToken);
        versions[node.Name] = document.Version;
        return versions;
    }

    /// <summary>This node's document and the stored ones, all or those of <paramref name="owners"/>.</summary>
    public async Task<IReadOnlyList<NodeDocument>> DocumentsAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken)
    {
        var (document, _) = await own.CurrentAsync(cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.PeerDocuments.AsNoTracking().ToListAsync(cancellationToken);
        var all = new List<NodeDocument> { document };
        all.AddRange(rows.Select(r => NodeDocument.Parser.ParseFrom(r.Payload)));
        return owners.Count == 0 ? all : [.. all.Where(d => owners.Contains(d.Owner, StringComparer.OrdinalIgnoreCase))];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var watch = new SqliteConnection($"Data Source={node.DatabasePath}");
        await watch.OpenAsync(stoppingToken);
        long lastDataVersion = -1;
        var lastAntiEntropy = DateTimeOffset.MinValue;
        var announced = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (state.Role == NodeRole.Standalone || endpoints.PeerPort == 0)
            {
                announced = false;
                continue;
            }

            try
            {
                if (applier.IsBehind)
                {
                    await applier.ApplyAsync(stoppingToken);
                }

                await using (var command = watch.CreateCommand())
                {
                    command.CommandText = "PRAGMA data_version";
                    var dataVersion = (long)(await command.ExecuteScalarAsync(stoppingToken))!;
                    var (document, changed) = await own.CurrentAsync(stoppingToken);
                    if (changed || !announced || dataVersion != lastDataVersion)
                    {
                        lastDataVersion = dataVersion;
                        if (changed || !announced)
                        {
                            // After a start every peer hears from this node: its ports may be new, and what waits for it can go now.
                            await PushAllAsync(document, stoppingToken);
                            announced = true;
                        }
                    }
                }

                if (applier.RemovedByMaster)
                {
                    LogRemovedByMaster(logger, state.MasterName ?? "?");
                    await membership.LeaveLocallyAsync(stoppingToken);
                    continue;
                }

                if (clock.GetUtcNow() - lastAntiEntropy >= options.AntiEntropyInterval)
                {
                    lastAntiEntropy = clock.GetUtcNow();
                    await AntiEntropyAsync(stoppingToken);
                    await ConfirmIfPendingAsync(stoppingToken);
                    await membership.ExpirePendingAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }
        }
    }

    private async Task PushAllAsync(NodeDocument document, CancellationToken cancellationToken) =>
        await Task.WhenAll(state.Peers.Select(peer =>
            CallAsync(peer, async client => await client.PushAsync(document, deadline: Deadline(), cancellationToken: cancellationToken), cancellationToken)));

    private async Task AntiEntropyAsync(CancellationToken cancellationToken)
    {
        foreach (var peer in state.Peers)
        {
            var theirs = await CallAsync(peer, async client => (await client.DigestAsync(new DigestRequest(), deadline: Deadline(), cancellationToken: cancellationToken)).Versions, cancellationToken);
            if (theirs is null)
            {
                continue;
            }

            var mine = await VersionsAsync(cancellationToken);
            var wanted = theirs.Where(v => !string.Equals(v.Key, node.Name, StringComparison.OrdinalIgnoreCase) && v.Value > mine.GetValueOrDefault(v.Key)).Select(v => v.Key).ToList();
            if (wanted.Count > 0)
            {
                var request = new FetchRequest();
                request.Owners.Add(wanted);
                var fetched = await CallAsync(peer, async client => (await client.FetchAsync(request, deadline: Deadline(), cancellationToken: cancellationToken)).Documents, cancellationToken);
                if (fetched is not null && await StoreAsync(fetched, cancellationToken))
                {
                    LogCaughtUp(logger, peer.Name, wanted.Count);
                    await applier.ApplyAsync(cancellationToken);
                }
            }

            // The peer has an old copy of this node's document (it was down when it changed): send it again.
            if (theirs.GetValueOrDefault(node.Name) < mine[node.Name])
            {
                var (document, _) = await own.CurrentAsync(cancellationToken);
                await CallAsync(peer, async client => await client.PushAsync(document, deadline: Deadline(), cancellationToken: cancellationToken), cancellationToken);
            }
        }
    }

    /// <summary>A slave whose join the master has not recorded as confirmed says so again (its first confirmation may have been lost).</summary>
    private async Task ConfirmIfPendingAsync(CancellationToken cancellationToken)
    {
        if (state.Role != NodeRole.Slave || state.MasterName is not { } masterName || state.FindPeer(masterName) is not { } master)
        {
            return;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var self = await db.ClusterMembers.AsNoTracking().SingleOrDefaultAsync(m => m.Name == node.Name, cancellationToken);
        if (self?.State != MemberStates.Pending)
        {
            return;
        }

        var documents = await CallAsync(master, async client => (await client.ConfirmAsync(new ConfirmRequest(), deadline: Deadline(), cancellationToken: cancellationToken)).Documents, cancellationToken);
        if (documents is not null)
        {
            await ReceiveAsync(master.Name, documents, cancellationToken);
        }
    }

    /// <summary>One call to a peer; its failure is recorded as the peer's error, and null returned.</summary>
    internal async Task<T?> CallAsync<T>(PeerNode peer, Func<Peer.PeerClient, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        if (peer.ClusterPort == 0)
        {
            MarkUnreachable(peer.Name, "its peer port is not known yet");
            return null;
        }

        try
        {
            var result = await call(channels.Peer(peer.Name, peer.Host, peer.ClusterPort));
            MarkReachable(peer.Name);
            return result;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            MarkUnreachable(peer.Name, PeerFailures.Translate(e, $"{peer.Name} ({peer.Host}:{peer.ClusterPort})").Message);
            return null;
        }
        catch (MailAdminException e)
        {
            MarkUnreachable(peer.Name, e.Message);
            return null;
        }
    }

    private void MarkReachable(string name)
    {
        var before = _reachability.GetValueOrDefault(name);
        _reachability[name] = new PeerReachability(true, null, clock.GetUtcNow());
        if (before is null || !before.Reachable)
        {
            if (before is not null)
            {
                LogPeerBack(logger, name);
            }

            state.RaisePeerReturned(name);
        }
    }

    private void MarkUnreachable(string name, string error)
    {
        var before = _reachability.GetValueOrDefault(name);
        _reachability[name] = new PeerReachability(false, error, clock.GetUtcNow());
        if (before is null || before.Reachable || before.Error != error)
        {
            LogPeerDown(logger, name, error);
        }
    }

    private DateTime Deadline() => clock.GetUtcNow().UtcDateTime + CallTimeout;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Peer {Node} cannot be reached: {Error}")]
    private static partial void LogPeerDown(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Peer {Node} answers again.")]
    private static partial void LogPeerBack(ILogger logger, string node);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Caught up from {Node}: {Count} newer documents.")]
    private static partial void LogCaughtUp(ILogger logger, string node, int count);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "A replication round failed.")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "The master {Master} no longer lists this server: it leaves the distributed domain and keeps its mailboxes in a local domain.")]
    private static partial void LogRemovedByMaster(ILogger logger, string master);
}
