using System.Diagnostics;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Maps a domain's directory into the node database. One sync:
/// <list type="number">
/// <item>reads every user and group with paged searches, outside any transaction
/// (a directory that fails here changes nothing);</item>
/// <item>in one transaction, matches entries to users by their stable directory
/// id: new entries placed on this node are added, changed ones updated,
/// disabled ones disabled, vanished ones disabled and marked missing — no
/// mailbox is ever deleted by a sync;</item>
/// <item>maps groups with nested members flattened, and drops groups gone
/// from the directory.</item>
/// </list>
/// A second sync of an unchanged directory changes nothing. Addresses that
/// another user, alias, list or group already holds are not taken: the entry
/// is skipped (or the alias dropped) and said so in the result.
/// </summary>
public sealed partial class DirectorySyncService(
    IDbContextFactory<NodeDbContext> databases,
    IDirectoryClient directory,
    DomainService domains,
    AuditLog audit,
    NodeOptions node,
    Distribution.ClusterState cluster,
    TimeProvider clock,
    Licensing.LicenceService licence,
    ILogger<DirectorySyncService> logger)
{
    public async Task<DirectorySyncResult> SyncAsync(Actor actor, string domainName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var ascii = DomainNames.TryNormalize(domainName, out var normalized) ? normalized : domainName ?? string.Empty;
        try
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var result = await RunAsync(DomainNames.Normalize(domainName), cancellationToken);
            await audit.RecordAsync(actor.Name, actor.ClientAddress, "directory.sync", $"{ascii}: {result.Summary}", AuditLog.Success, cancellationToken);
            return result;
        }
        catch (MailAdminException e)
        {
            await audit.RecordAsync(actor.Name, actor.ClientAddress, "directory.sync", ascii, e.Code, cancellationToken);
            throw;
        }
    }

    /// <summary>Syncs every domain that has a directory; one failing domain does not stop the others.</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken)
    {
        List<string> names;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            names = await db.Domains.Where(d => d.Directory != null).Select(d => d.Name).ToListAsync(cancellationToken);
        }

        foreach (var name in names)
        {
            try
            {
                var result = await SyncAsync(Actor.System, name, cancellationToken);
                LogSynced(logger, name, result.Summary, result.DurationMs);
            }
            catch (MailAdminException e)
            {
                LogSyncFailed(logger, name, e.Message);
            }
        }
    }

    private async Task<DirectorySyncResult> RunAsync(string ascii, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        DirectoryConnection connection;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var domain = await DomainService.FindAsync(db, ascii, cancellationToken);
            var settings = domain.Directory ?? throw MailAdminException.Conflict("directory-not-configured",
                $"{DomainNames.ToUnicode(ascii)} has no directory service: set one on the Domains page first.");
            connection = domains.ConnectionOf(settings);
            if (domain.IsDistributed && cluster.Role == NodeRole.Master)
            {
                // The master maps the users no other server places (manual: unplaced users live on the master).
                connection = connection with { PeerPlacementFilters = await PeerPlacementFiltersAsync(db, ascii, cancellationToken) };
            }
        }

        DirectorySnapshot snapshot;
        try
        {
            snapshot = await directory.ReadAllAsync(connection, cancellationToken);
        }
        catch (MailAdminException e)
        {
            await RecordOutcomeAsync(ascii, e.Message, cancellationToken);
            throw;
        }

        var readMs = stopwatch.ElapsedMilliseconds;
        var result = await ApplyAsync(ascii, snapshot, stopwatch, cancellationToken) with { ReadMs = readMs };
        licence.Invalidate();
        await RecordOutcomeAsync(ascii, AuditLog.Success, cancellationToken);
        return result;
    }

    private static async Task<List<string>> PeerPlacementFiltersAsync(NodeDbContext db, string ascii, CancellationToken cancellationToken)
    {
        var filters = new List<string>();
        foreach (var payload in await db.PeerDocuments.AsNoTracking().Select(d => d.Payload).ToListAsync(cancellationToken))
        {
            var document = Distribution.Protocol.NodeDocument.Parser.ParseFrom(payload);
            filters.AddRange(document.Domains.Where(d => d.Domain == ascii && d.PlacementFilter.Length > 0).Select(d => d.PlacementFilter));
        }

        return filters;
    }

    private async Task<DirectorySyncResult> ApplyAsync(string ascii, DirectorySnapshot snapshot, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var timer = new PhaseTimer();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        timer.Lap("begin");
        var domain = await DomainService.FindAsync(db, ascii, cancellationToken);
        var now = clock.GetUtcNow();
        // Read without tracking: an unchanged directory of 100,000 users must not cost 100,000 tracked entities.
        var users = await db.Users.AsNoTracking().Include(u => u.Aliases).Where(u => u.DomainId == domain.Id).AsSplitQuery().ToListAsync(cancellationToken);
        var byDirectoryId = users.Where(u => u.DirectoryId != null).ToDictionary(u => u.DirectoryId!, StringComparer.Ordinal);

        // Addresses held by things the directory does not own.
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var local in users.Where(u => u.Source == UserSource.Local))
        {
            reserved.Add(local.LocalPart);
            reserved.UnionWith(local.Aliases.Select(a => a.LocalPart));
        }

        // In a distributed domain, mailboxes other servers host are theirs to update (they announce them).
        bool IsRemote(MailUser u) => u.Source == UserSource.Directory && !string.Equals(u.HomeServer, node.Name, StringComparison.OrdinalIgnoreCase);
        foreach (var remote in users.Where(IsRemote))
        {
            reserved.Add(remote.LocalPart);
            reserved.UnionWith(remote.Aliases.Select(a => a.LocalPart));
        }

        var distributed = domain.IsDistributed && cluster.Role != NodeRole.Standalone;
        var ownFilter = domain.Directory?.PlacementFilter is not null;
        bool PlacedHere(DirectoryUser entry) => !distributed
            ? entry.PlacedHere
            : cluster.Role == NodeRole.Master ? !entry.PlacedElsewhere : ownFilter && entry.PlacedHere;

        reserved.UnionWith(await db.Aliases.Where(a => a.DomainId == domain.Id).Select(a => a.LocalPart).ToListAsync(cancellationToken));
        reserved.UnionWith(await db.MailingLists.Where(l => l.DomainId == domain.Id).Select(l => l.LocalPart).ToListAsync(cancellationToken));
        reserved.UnionWith(await db.Resources.Where(r => r.DomainId == domain.Id).Select(r => r.LocalPart).ToListAsync(cancellationToken));

        timer.Lap("load");
        var claimed = new HashSet<string>(reserved, StringComparer.Ordinal);
        var skipped = new List<string>();
        var desired = new List<(DirectoryUser Entry, string Primary, List<string> Aliases)>();
        var domainNames = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Users)
        {
            var mine = new List<string>(entry.Addresses.Count);
            foreach (var address in entry.Addresses)
            {
                if (MailAddresses.TryParse(address, domainNames, out var parsed) && parsed.Domain == ascii && !mine.Contains(parsed.LocalPart, StringComparer.Ordinal))
                {
                    mine.Add(parsed.LocalPart);
                }
            }

            if (mine.Count == 0 && MailAddresses.NormalizeLocalPart(entry.Login) is { } fromLogin)
            {
                mine.Add(fromLogin);
            }

            var known = byDirectoryId.TryGetValue(entry.DirectoryId, out var knownUser);
            if (known ? IsRemote(knownUser!) : !PlacedHere(entry))
            {
                continue;
            }

            if (mine.Count == 0 || !claimed.Add(mine[0]))
            {
                skipped.Add(mine.Count == 0
                    ? $"{entry.Dn}: no address in {ascii} and no usable login"
                    : $"{entry.Dn}: {mine[0]}@{ascii} is already taken");
                continue;
            }

            var aliases = new List<string>();
            foreach (var alias in mine.Skip(1))
            {
                if (claimed.Add(alias))
                {
                    aliases.Add(alias);
                }
                else
                {
                    skipped.Add($"{entry.Dn}: alias {alias}@{ascii} is already taken");
                }
            }

            desired.Add((entry, mine[0], aliases));
        }

        timer.Lap("addresses");
        int added = 0, updated = 0, disabled = 0, removed = 0;
        var fresh = new List<MailUser>();
        var inDirectory = snapshot.Users.Select(e => e.DirectoryId).ToHashSet(StringComparer.Ordinal);

        // First find, on the untracked copies, which users change at all.
        var unicodeDomain = DomainNames.ToUnicode(domain.Name);
        var changing = new HashSet<int>();
        foreach (var (entry, primary, aliases) in desired)
        {
            if (byDirectoryId.TryGetValue(entry.DirectoryId, out var copy) && Apply(copy, entry, primary, aliases, domain, unicodeDomain, now))
            {
                changing.Add(copy.Id);
            }
        }

        // Entries skipped for an address conflict are still in the directory: leave their users as they are.
        var vanished = byDirectoryId.Values.Where(u => !inDirectory.Contains(u.DirectoryId!) && !u.MissingFromDirectory && !IsRemote(u)).Select(u => u.Id).ToList();
        changing.UnionWith(vanished);

        // Then load just those, tracked, and change them for real.
        var tracked = changing.Count == 0
            ? []
            : await db.Users.Include(u => u.Aliases).Where(u => changing.Contains(u.Id)).AsSplitQuery().ToDictionaryAsync(u => u.DirectoryId!, StringComparer.Ordinal, cancellationToken);

        // Free every primary that changes hands before taking the new ones,
        // so two users swapping addresses never meet the unique index.
        var renamed = desired.Where(d => tracked.TryGetValue(d.Entry.DirectoryId, out var u) && u.LocalPart != d.Primary).ToList();
        foreach (var (entry, _, _) in renamed)
        {
            var user = tracked[entry.DirectoryId];
            user.LocalPart = $"\u0001moving-{user.Id}";
        }

        if (renamed.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        // Changes are detected once, at the save, not at every touch of many entities.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var (entry, primary, aliases) in desired)
        {
            if (byDirectoryId.ContainsKey(entry.DirectoryId))
            {
                if (tracked.TryGetValue(entry.DirectoryId, out var user))
                {
                    var wasEnabled = user.Enabled;
                    Apply(user, entry, primary, aliases, domain, unicodeDomain, now);
                    if (wasEnabled && !user.Enabled)
                    {
                        disabled++;
                    }
                    else
                    {
                        updated++;
                    }
                }

                continue;
            }

            // What Apply would make of a blank user, without comparing anything.
            var created = new MailUser
            {
                DomainId = domain.Id,
                LocalPart = primary,
                Name = entry.Name,
                Source = UserSource.Directory,
                DirectoryId = entry.DirectoryId,
                DirectoryDn = entry.Dn,
                Login = entry.Login,
                Enabled = entry.Enabled,
                MissingFromDirectory = false,
                HomeServer = node.Name,
                Attributes = new Dictionary<string, string>(entry.Attributes),
                SearchText = MailUser.SearchTextOf(entry.Name, primary, aliases, domain.Name, unicodeDomain),
                CreatedAt = now,
                UpdatedAt = now,
            };
            foreach (var alias in aliases)
            {
                created.Aliases.Add(new UserAlias { DomainId = domain.Id, LocalPart = alias });
            }

            fresh.Add(created);
            added++;
        }

        var trackedById = tracked.Values.ToDictionary(u => u.Id);
        foreach (var id in vanished)
        {
            var user = trackedById[id];
            user.MissingFromDirectory = true;
            user.Enabled = false;
            user.UpdatedAt = now;
            removed++;
        }

        timer.Lap("diff");
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(cancellationToken);
        timer.Lap("update");
        UserBulkInsert.Insert(db, fresh, cancellationToken);
        timer.Lap("insert");

        // Every directory user of the domain as the database now has it: the copies read at the
        // start carry the changes applied above (Apply ran on them too), the fresh ones their ids.
        var directoryUsers = users.Where(u => u.DirectoryDn != null).Concat(fresh);
        var (groupsAdded, groupsUpdated, groupsRemoved) = await ApplyGroupsAsync(db, domain, snapshot, directoryUsers, claimed, skipped, cancellationToken);
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(cancellationToken);
        timer.Lap("groups");
        await transaction.CommitAsync(cancellationToken);
        timer.Lap("commit");
        LogApplyPhases(logger, ascii, timer);
        return new DirectorySyncResult(added, updated, disabled, removed, groupsAdded, groupsUpdated, groupsRemoved, skipped, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>Brings a user in line with its entry; true when anything changed.</summary>
    private static bool Apply(MailUser user, DirectoryUser entry, string primary, List<string> aliases, MailDomain domain, string unicodeDomain, DateTimeOffset now)
    {
        var changed = false;
        void Set<T>(T current, T value, Action<T> assign)
        {
            if (!EqualityComparer<T>.Default.Equals(current, value))
            {
                assign(value);
                changed = true;
            }
        }

        Set(user.LocalPart, primary, v => user.LocalPart = v);
        Set(user.Name, entry.Name, v => user.Name = v);
        Set(user.DirectoryDn, entry.Dn, v => user.DirectoryDn = v);
        Set(user.Login, entry.Login, v => user.Login = v);
        Set(user.Enabled, entry.Enabled, v => user.Enabled = v);
        Set(user.MissingFromDirectory, false, v => user.MissingFromDirectory = v);
        if (user.Attributes.Count != entry.Attributes.Count || user.Attributes.Any(a => !entry.Attributes.TryGetValue(a.Key, out var v) || v != a.Value))
        {
            user.Attributes = new Dictionary<string, string>(entry.Attributes);
            changed = true;
        }

        var current = user.Aliases.Select(a => a.LocalPart).Order(StringComparer.Ordinal).ToList();
        if (!current.SequenceEqual(aliases.Order(StringComparer.Ordinal)))
        {
            user.Aliases.RemoveAll(a => !aliases.Contains(a.LocalPart));
            foreach (var alias in aliases.Where(a => !current.Contains(a)))
            {
                user.Aliases.Add(new UserAlias { DomainId = domain.Id, LocalPart = alias });
            }

            changed = true;
        }

        var search = MailUser.SearchTextOf(user.Name, user.LocalPart, aliases, domain.Name, unicodeDomain);
        Set(user.SearchText, search, v => user.SearchText = v);
        if (changed)
        {
            user.UpdatedAt = now;
        }

        return changed;
    }

    private static async Task<(int Added, int Updated, int Removed)> ApplyGroupsAsync(
        NodeDbContext db, MailDomain domain, DirectorySnapshot snapshot, IEnumerable<MailUser> directoryUsers, HashSet<string> claimed, List<string> skipped, CancellationToken cancellationToken)
    {
        // Member values and entry DNs may spell one DN differently (case, spaces, escapes): compare keys.
        var userIdsByDn = directoryUsers.ToDictionary(u => GroupMembership.DnKey(u.DirectoryDn!), u => u.Id, StringComparer.Ordinal);
        var groupsByDn = snapshot.Groups.GroupBy(g => GroupMembership.DnKey(g.Dn), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var existing = await db.Groups.Include(g => g.Members).Where(g => g.DomainId == domain.Id).ToListAsync(cancellationToken);
        var byId = existing.ToDictionary(g => g.DirectoryId, StringComparer.Ordinal);
        int added = 0, updated = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Groups)
        {
            seen.Add(entry.DirectoryId);
            var memberKeys = FlattenMembers(entry, groupsByDn);
            var members = memberKeys.Where(userIdsByDn.ContainsKey).Select(k => userIdsByDn[k]).ToHashSet();
            string? localPart = null;
            if (entry.Address is { } address && MailAddresses.TryParse(address, out var parsed) && parsed.Domain == domain.Name)
            {
                var ownedAlready = byId.TryGetValue(entry.DirectoryId, out var owner) && owner.LocalPart == parsed.LocalPart;
                if (ownedAlready || claimed.Add(parsed.LocalPart))
                {
                    localPart = parsed.LocalPart;
                }
                else
                {
                    skipped.Add($"{entry.Dn}: group address {parsed} is already taken");
                }
            }

            if (!byId.TryGetValue(entry.DirectoryId, out var group))
            {
                group = new MailGroup { DomainId = domain.Id, Name = entry.Name, LocalPart = localPart, DirectoryId = entry.DirectoryId, DirectoryDn = entry.Dn, MemberKeys = [.. memberKeys.Order(StringComparer.Ordinal)] };
                group.Members.AddRange(members.Select(id => new GroupMember { UserId = id }));
                db.Groups.Add(group);
                added++;
                continue;
            }

            var current = group.Members.Select(m => m.UserId).ToHashSet();
            var changed = group.Name != entry.Name || group.LocalPart != localPart || group.DirectoryDn != entry.Dn || !current.SetEquals(members)
                || group.MemberKeys is null || !memberKeys.SetEquals(group.MemberKeys);
            if (!changed)
            {
                continue;
            }

            group.Name = entry.Name;
            group.LocalPart = localPart;
            group.DirectoryDn = entry.Dn;
            group.MemberKeys = [.. memberKeys.Order(StringComparer.Ordinal)];
            group.Members.RemoveAll(m => !members.Contains(m.UserId));
            group.Members.AddRange(members.Where(id => !current.Contains(id)).Select(id => new GroupMember { UserId = id }));
            updated++;
        }

        var gone = existing.Where(g => !seen.Contains(g.DirectoryId)).ToList();
        db.Groups.RemoveRange(gone);
        return (added, updated, gone.Count);
    }

    /// <summary>
    /// The DN keys of every entry reachable from a group through nested groups that is not itself
    /// a group: the users, whether this node has their row yet or not. A cycle ends the walk.
    /// </summary>
    private static HashSet<string> FlattenMembers(DirectoryGroup group, Dictionary<string, DirectoryGroup> groupsByDn)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal) { GroupMembership.DnKey(group.Dn) };
        var pending = new Stack<string>(group.MemberDns.Select(GroupMembership.DnKey));
        while (pending.TryPop(out var key))
        {
            if (groupsByDn.TryGetValue(key, out var nested))
            {
                if (visited.Add(key))
                {
                    foreach (var member in nested.MemberDns)
                    {
                        pending.Push(GroupMembership.DnKey(member));
                    }
                }
            }
            else
            {
                members.Add(key);
            }
        }

        return members;
    }

    private async Task RecordOutcomeAsync(string ascii, string outcome, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var settings = await db.DirectorySettings.SingleOrDefaultAsync(s => db.Domains.Any(d => d.Id == s.DomainId && d.Name == ascii), cancellationToken);
        if (settings is not null)
        {
            settings.LastSyncAt = clock.GetUtcNow();
            settings.LastSyncResult = outcome.Length <= 500 ? outcome : outcome[..500];
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Directory sync of {Domain}: {Summary} in {DurationMs} ms.")]
    private static partial void LogSynced(ILogger logger, string domain, string summary, long durationMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Directory sync of {Domain}, apply phases: {Phases}.")]
    private static partial void LogApplyPhases(ILogger logger, string domain, PhaseTimer phases);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Directory sync of {Domain} failed: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string domain, string reason);
}
