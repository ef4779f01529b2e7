using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// Turns the peers' documents into this node's tables, in one transaction: the membership
/// (from the master's document), the mailboxes other nodes host (rows whose home is another
/// node, so routing, the Users page and group expansion know them), the aliases and lists
/// homed elsewhere, and on a slave the settings inherited from the master. Running it twice
/// on the same documents changes nothing.
/// </summary>
public sealed partial class DocumentApplier(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    ClusterStore store,
    Licensing.LicenceService licence,
    TimeProvider clock,
    ILogger<DocumentApplier> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // True from the start: the last run may have stopped between storing a document and applying it.
    private volatile bool _behind = true;

    /// <summary>What the master's membership says about this node, when it no longer lists it: it was removed.</summary>
    public bool RemovedByMaster { get; private set; }

    /// <summary>
    /// A stored document is not yet in this node's tables: its apply was interrupted (a caller's
    /// deadline, a busy database, a crash) or is still to come. Replication applies again then.
    /// </summary>
    public bool IsBehind => _behind;

    /// <summary>Notes that documents were stored and wait to be applied.</summary>
    public void MarkBehind() => _behind = true;

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Cleared before reading the documents, so a document stored during this apply marks it again.
            _behind = false;
            await ApplyCoreAsync(cancellationToken);
        }
        catch
        {
            _behind = true;
            throw;
        }
        finally
        {
            _gate.Release();
        }

        // A peer's document may move a mailbox away from here (the end of a migration) or change its state.
        licence.Invalidate();

        await store.RefreshAsync(cancellationToken);
    }

    private async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await ClusterStore.RecordAsync(db, cancellationToken);
        var role = ClusterStore.ParseRole(record.Role);
        if (role == NodeRole.Standalone)
        {
            return;
        }

        var documents = (await db.PeerDocuments.AsNoTracking().ToListAsync(cancellationToken))
            .Select(d => NodeDocument.Parser.ParseFrom(d.Payload))
            .Where(d => !Same(d.Owner, node.Name))
            .ToDictionary(d => d.Owner, StringComparer.OrdinalIgnoreCase);

        var members = await ApplyMembershipAsync(db, record, role, documents, cancellationToken);
        var current = documents.Values.Where(d => members.Contains(d.Owner, StringComparer.OrdinalIgnoreCase)).ToList();

        var domains = await db.Domains.Include(d => d.Directory).Where(d => d.IsDistributed).ToListAsync(cancellationToken);
        foreach (var domain in domains)
        {
            var shares = current.SelectMany(d => d.Domains.Where(s => s.Domain == domain.Name).Select(s => (d.Owner, Share: s))).ToList();
            await ApplyMailboxesAsync(db, domain, shares, cancellationToken);
            await ApplyItemsAsync(db, domain, shares, cancellationToken);
            if (DirectoryServices.GroupLinks.UsersChanged(db))
            {
                // New rows need their ids before the groups can hold them.
                await db.SaveChangesAsync(cancellationToken);
                await DirectoryServices.GroupLinks.RelinkAsync(db, domain.Id, cancellationToken);
            }

            if (role == NodeRole.Slave && record.MasterName is { } master && shares.FirstOrDefault(s => Same(s.Owner, master)).Share?.Settings is { } settings)
            {
                ApplySettings(domain, settings);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Brings the member rows in line with the master's list; returns the members' names as they now are.</summary>
    private async Task<List<string>> ApplyMembershipAsync(NodeDbContext db, ClusterRecord record, NodeRole role, Dictionary<string, NodeDocument> documents, CancellationToken cancellationToken)
    {
        var rows = await db.ClusterMembers.ToListAsync(cancellationToken);
        if (role == NodeRole.Slave && record.MasterName is { } masterName && documents.TryGetValue(masterName, out var masterDocument) && masterDocument.Membership is { } membership)
        {
            RemovedByMaster = !membership.Members.Any(m => Same(m.Endpoint.Name, node.Name));
            foreach (var member in membership.Members)
            {
                var row = rows.FirstOrDefault(r => Same(r.Name, member.Endpoint.Name));
                if (row is null)
                {
                    row = new ClusterMember { Name = member.Endpoint.Name, Host = member.Endpoint.Host, JoinedAt = clock.GetUtcNow() };
                    db.ClusterMembers.Add(row);
                    rows.Add(row);
                }

                // A member's own document knows its address better than the master's copy when it is newer news.
                var endpoint = documents.TryGetValue(member.Endpoint.Name, out var own) && own.Endpoint is not null ? own.Endpoint : member.Endpoint;
                if (Same(member.Endpoint.Name, node.Name))
                {
                    endpoint = member.Endpoint;
                }

                ClusterStore.Apply(row, endpoint);
                row.IsMaster = member.IsMaster;
                row.State = member.State;
                row.CertificateThumbprint = member.Endpoint.CertificateThumbprint;
            }

            foreach (var gone in rows.Where(r => !membership.Members.Any(m => Same(m.Endpoint.Name, r.Name))).ToList())
            {
                rows.Remove(gone);
                db.ClusterMembers.Remove(gone);
                db.PeerDocuments.RemoveRange(db.PeerDocuments.Where(d => d.Owner == gone.Name));
            }

            var revoked = await db.RevokedCertificates.ToListAsync(cancellationToken);
            foreach (var thumbprint in membership.RevokedThumbprints.Where(t => !revoked.Any(r => r.Thumbprint == t)))
            {
                db.RevokedCertificates.Add(new RevokedCertificate { Thumbprint = thumbprint, NodeName = string.Empty, RevokedAt = clock.GetUtcNow() });
            }
        }
        else if (role == NodeRole.Master)
        {
            // The master owns the list; members' own documents only update their addresses.
            foreach (var row in rows.Where(r => !Same(r.Name, node.Name)))
            {
                if (documents.TryGetValue(row.Name, out var own) && own.Endpoint is not null)
                {
                    ClusterStore.Apply(row, own.Endpoint);
                }
            }
        }

        return [.. rows.Select(r => r.Name)];
    }

    private async Task ApplyMailboxesAsync(NodeDbContext db, MailDomain domain, List<(string Owner, DomainShare Share)> shares, CancellationToken cancellationToken)
    {
        var users = await db.Users.Include(u => u.Aliases).Where(u => u.DomainId == domain.Id).AsSplitQuery().ToListAsync(cancellationToken);
        var byDirectoryId = users.Where(u => u.DirectoryId != null).ToDictionary(u => u.DirectoryId!, StringComparer.Ordinal);

        // The winning claim per mailbox: the highest epoch; on a tie, the lowest node name.
        var claims = new Dictionary<string, (string Owner, Mailbox Mailbox)>(StringComparer.Ordinal);
        foreach (var (owner, share) in shares)
        {
            foreach (var mailbox in share.Mailboxes)
            {
                if (!claims.TryGetValue(mailbox.DirectoryId, out var best) || Wins(mailbox.Epoch, owner, best.Mailbox.Epoch, best.Owner))
                {
                    claims[mailbox.DirectoryId] = (owner, mailbox);
                }
            }
        }

        var taken = await TakenAddressesAsync(db, domain.Id, cancellationToken);
        var unicodeDomain = DomainNames.ToUnicode(domain.Name);
        var now = clock.GetUtcNow();
        foreach (var (directoryId, (owner, mailbox)) in claims)
        {
            if (byDirectoryId.TryGetValue(directoryId, out var user))
            {
                if (user.Source == UserSource.Local)
                {
                    continue;
                }

                var hostedHere = Same(user.HomeServer, node.Name);
                if (hostedHere && !Wins(mailbox.Epoch, owner, user.HomeEpoch, node.Name))
                {
                    continue;
                }

                if (hostedHere)
                {
                    LogHomeMoved(logger, $"{user.LocalPart}@{domain.Name}", owner, mailbox.Epoch);
                }

                Release(taken, user);
                Copy(user, owner, mailbox, domain, unicodeDomain, taken, now);
                continue;
            }

            if (taken.Contains(mailbox.LocalPart))
            {
                LogAddressTaken(logger, $"{mailbox.LocalPart}@{domain.Name}", owner);
                continue;
            }

            var created = new MailUser
            {
                DomainId = domain.Id,
                LocalPart = mailbox.LocalPart,
                Name = mailbox.Name,
                Source = UserSource.Directory,
                DirectoryId = directoryId,
                HomeServer = owner,
                CreatedAt = now,
            };
            Copy(created, owner, mailbox, domain, unicodeDomain, taken, now);
            db.Users.Add(created);
        }

        // Rows of mailboxes no member announces any more: the user left the directory, or its node left.
        foreach (var stale in users.Where(u => u.Source == UserSource.Directory && !Same(u.HomeServer, node.Name)
            && (u.DirectoryId is null || !claims.ContainsKey(u.DirectoryId))))
        {
            db.Users.Remove(stale);
        }
    }

    public void Dispose() => _gate.Dispose();

    private static void Copy(MailUser user, string owner, Mailbox mailbox, MailDomain domain, string unicodeDomain, HashSet<string> taken, DateTimeOffset now)
    {
        var aliases = mailbox.Aliases.Where(a => !taken.Contains(a)).ToList();
        var attributes = new Dictionary<string, string>(mailbox.Attributes);
        var changed = user.LocalPart != mailbox.LocalPart || user.Name != mailbox.Name || user.HomeServer != owner || user.HomeEpoch != mailbox.Epoch
            || user.DirectoryDn != mailbox.Dn || user.Login != NullIfEmpty(mailbox.Login) || user.Enabled != mailbox.Enabled || user.MissingFromDirectory
            || user.DisabledByAdministrator != mailbox.DisabledByAdministrator || user.HiddenFromAddressList != mailbox.HiddenFromAddressList
            || !user.Aliases.Select(a => a.LocalPart).Order(StringComparer.Ordinal).SequenceEqual(aliases.Order(StringComparer.Ordinal))
            || user.Attributes.Count != attributes.Count || user.Attributes.Any(a => !attributes.TryGetValue(a.Key, out var v) || v != a.Value);
        taken.Add(mailbox.LocalPart);
        taken.UnionWith(aliases);
        if (!changed)
        {
            return;
        }

        user.LocalPart = mailbox.LocalPart;
        user.Name = mailbox.Name;
        user.HomeServer = owner;
        user.HomeEpoch = mailbox.Epoch;
        user.DirectoryDn = mailbox.Dn;
        user.Login = NullIfEmpty(mailbox.Login);
        user.Enabled = mailbox.Enabled;
        user.DisabledByAdministrator = mailbox.DisabledByAdministrator;
        user.HiddenFromAddressList = mailbox.HiddenFromAddressList;
        user.MissingFromDirectory = false;
        user.Attributes = attributes;
        user.Aliases.RemoveAll(a => !aliases.Contains(a.LocalPart));
        foreach (var alias in aliases.Where(a => !user.Aliases.Any(x => x.LocalPart == a)))
        {
            user.Aliases.Add(new UserAlias { DomainId = domain.Id, LocalPart = alias });
        }

        user.SearchText = MailUser.SearchTextOf(user.Name, user.LocalPart, aliases, domain.Name, unicodeDomain);
        user.UpdatedAt = now;
    }

    private static void Release(HashSet<string> taken, MailUser user)
    {
        taken.Remove(user.LocalPart);
        foreach (var alias in user.Aliases)
        {
            taken.Remove(alias.LocalPart);
        }
    }

    private async Task ApplyItemsAsync(NodeDbContext db, MailDomain domain, List<(string Owner, DomainShare Share)> shares, CancellationToken cancellationToken)
    {
        var aliases = await db.Aliases.Where(a => a.DomainId == domain.Id).ToListAsync(cancellationToken);
        var lists = await db.MailingLists.Where(l => l.DomainId == domain.Id).ToListAsync(cancellationToken);
        var resources = await db.Resources.Where(r => r.DomainId == domain.Id).ToListAsync(cancellationToken);
        var taken = await TakenAddressesAsync(db, domain.Id, cancellationToken);
        taken.ExceptWith(aliases.Where(a => a.HomeServer != null).Select(a => a.LocalPart));
        taken.ExceptWith(lists.Where(l => l.HomeServer != null).Select(l => l.LocalPart));
        taken.ExceptWith(resources.Where(r => r.HomeServer != null).Select(r => r.LocalPart));

        var wantedAliases = new Dictionary<string, (string Owner, AddressItem Item)>(StringComparer.Ordinal);
        var wantedLists = new Dictionary<string, (string Owner, AddressItem Item)>(StringComparer.Ordinal);
        var wantedResources = new Dictionary<string, (string Owner, ResourceEntry Entry)>(StringComparer.Ordinal);
        bool Claimed(string localPart) =>
            taken.Contains(localPart) || wantedAliases.ContainsKey(localPart) || wantedLists.ContainsKey(localPart) || wantedResources.ContainsKey(localPart);
        foreach (var (owner, share) in shares.OrderBy(s => s.Owner, StringComparer.Ordinal))
        {
            foreach (var item in share.Items)
            {
                var target = item.Kind == "list" ? wantedLists : wantedAliases;
                if (Claimed(item.LocalPart))
                {
                    LogAddressTaken(logger, $"{item.LocalPart}@{domain.Name}", owner);
                    continue;
                }

                target[item.LocalPart] = (owner, item);
            }

            foreach (var entry in share.Resources)
            {
                if (Claimed(entry.LocalPart))
                {
                    LogAddressTaken(logger, $"{entry.LocalPart}@{domain.Name}", owner);
                    continue;
                }

                wantedResources[entry.LocalPart] = (owner, entry);
            }
        }

        foreach (var alias in aliases.Where(a => a.HomeServer != null))
        {
            if (wantedAliases.Remove(alias.LocalPart, out var wanted))
            {
                alias.HomeServer = wanted.Owner;
                alias.Target = wanted.Item.Target;
            }
            else
            {
                db.Aliases.Remove(alias);
            }
        }

        foreach (var (localPart, (owner, item)) in wantedAliases)
        {
            db.Aliases.Add(new DomainAlias { DomainId = domain.Id, LocalPart = localPart, Target = item.Target, HomeServer = owner });
        }

        foreach (var list in lists.Where(l => l.HomeServer != null))
        {
            if (wantedLists.Remove(list.LocalPart, out var wanted))
            {
                list.HomeServer = wanted.Owner;
                if (!list.Members.SequenceEqual(wanted.Item.Members))
                {
                    list.Members = [.. wanted.Item.Members];
                }
            }
            else
            {
                db.MailingLists.Remove(list);
            }
        }

        foreach (var (localPart, (owner, item)) in wantedLists)
        {
            db.MailingLists.Add(new MailingList { DomainId = domain.Id, LocalPart = localPart, Members = [.. item.Members], HomeServer = owner });
        }

        foreach (var resource in resources.Where(r => r.HomeServer != null))
        {
            if (wantedResources.Remove(resource.LocalPart, out var wanted))
            {
                Describe(resource, wanted.Owner, wanted.Entry);
            }
            else
            {
                db.Resources.Remove(resource);
            }
        }

        foreach (var (localPart, (owner, entry)) in wantedResources)
        {
            var resource = new BookableResource { DomainId = domain.Id, LocalPart = localPart, Name = entry.Name, CreatedAt = clock.GetUtcNow() };
            Describe(resource, owner, entry);
            db.Resources.Add(resource);
        }
    }

    /// <summary>A copy of another server's resource, as its document describes it; written only when something changed, so the address list keeps its version.</summary>
    private static void Describe(BookableResource resource, string owner, ResourceEntry entry)
    {
        var type = Enum.TryParse<ResourceType>(entry.Type, out var t) ? t : ResourceType.Room;
        var policy = Enum.TryParse<BookingPolicy>(entry.Policy, out var p) ? p : BookingPolicy.AutoAccept;
        int? capacity = entry.Capacity > 0 ? entry.Capacity : null;
        var location = NullIfEmpty(entry.Location);
        var description = NullIfEmpty(entry.Description);
        var manager = NullIfEmpty(entry.Manager);
        if (resource.HomeServer == owner && resource.Name == entry.Name && resource.Type == type && resource.Capacity == capacity
            && resource.Location == location && resource.Description == description && resource.Policy == policy && resource.Manager == manager)
        {
            return;
        }

        resource.HomeServer = owner;
        resource.Name = entry.Name;
        resource.Type = type;
        resource.Capacity = capacity;
        resource.Location = location;
        resource.Description = description;
        resource.Policy = policy;
        resource.Manager = manager;
    }

    private static void ApplySettings(MailDomain domain, DomainSettings settings)
    {
        if (domain.SettingsVersion == settings.Version)
        {
            return;
        }

        domain.SettingsVersion = settings.Version;
        domain.Description = NullIfEmpty(settings.Description);
        if (domain.Directory is { } directory && settings.Directory is { } inherited)
        {
            directory.UserFilter = NullIfEmpty(inherited.UserFilter);
            directory.GroupFilter = NullIfEmpty(inherited.GroupFilter);
            directory.Profile = OwnDocument.ParseProfile(inherited.Profile);
        }
    }

    /// <summary>Local parts of the domain held by anything this node has (users, their aliases, groups, aliases, lists, resources).</summary>
    internal static async Task<HashSet<string>> TakenAddressesAsync(NodeDbContext db, int domainId, CancellationToken cancellationToken)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        taken.UnionWith(await db.Users.Where(u => u.DomainId == domainId).Select(u => u.LocalPart).ToListAsync(cancellationToken));
        taken.UnionWith(await db.UserAliases.Where(a => a.DomainId == domainId).Select(a => a.LocalPart).ToListAsync(cancellationToken));
        taken.UnionWith(await db.Groups.Where(g => g.DomainId == domainId && g.LocalPart != null).Select(g => g.LocalPart!).ToListAsync(cancellationToken));
        taken.UnionWith(await db.Aliases.Where(a => a.DomainId == domainId).Select(a => a.LocalPart).ToListAsync(cancellationToken));
        taken.UnionWith(await db.MailingLists.Where(l => l.DomainId == domainId).Select(l => l.LocalPart).ToListAsync(cancellationToken));
        taken.UnionWith(await db.Resources.Where(r => r.DomainId == domainId).Select(r => r.LocalPart).ToListAsync(cancellationToken));
        return taken;
    }

    /// <summary>Does a claim (epoch, owner) beat the current one? Higher epoch wins; a tie goes to the lower node name, the same answer on every node.</summary>
    internal static bool Wins(long epoch, string owner, long currentEpoch, string currentOwner) =>
        epoch > currentEpoch || (epoch == currentEpoch && string.Compare(owner, currentOwner, StringComparison.OrdinalIgnoreCase) < 0);

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Mailbox {Address} now lives on {Owner} (epoch {Epoch}), which announced it with a higher claim.")]
    private static partial void LogHomeMoved(ILogger logger, string address, string owner, long epoch);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "{Address}, announced by {Owner}, is taken on this server by something else: not copied. Resolve the clash on one side.")]
    private static partial void LogAddressTaken(ILogger logger, string address, string owner);
}
