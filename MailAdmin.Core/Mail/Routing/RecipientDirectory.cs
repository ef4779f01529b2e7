using System.Collections.Frozen;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Mail.Routing;

/// <summary>What an address of one of this node's domains stands for.</summary>
public abstract record RecipientTarget
{
    /// <summary>
    /// A user's mailbox (its primary address or one of its aliases), or a resource's: a room or
    /// equipment, which has a mailbox and a calendar on its home server like a user
    /// (<see cref="Kind"/>; <see cref="UserId"/> is then the resource's id).
    /// </summary>
    public sealed record Mailbox(int UserId, string Address, string Domain, string LocalPart, bool Enabled, bool Removed, string HomeServer, MailboxKind Kind = MailboxKind.User) : RecipientTarget;

    /// <summary>A domain alias: mail goes on to its target address.</summary>
    public sealed record AddressAlias(string Address, string Target) : RecipientTarget;

    /// <summary>A mailing list: mail goes to every member.</summary>
    public sealed record MailingList(string Address, IReadOnlyList<string> Members) : RecipientTarget;

    /// <summary>A directory group with an address: mail goes to every member, nested groups flattened.</summary>
    public sealed record DirectoryGroup(string Address, IReadOnlyList<string> Members) : RecipientTarget;
}

/// <summary>Whose mailbox a <see cref="RecipientTarget.Mailbox"/> is.</summary>
public enum MailboxKind
{
    User,

    /// <summary>A bookable room or piece of equipment: its home server answers the meeting requests sent to it.</summary>
    Resource,
}

/// <summary>
/// The node's addresses in memory, for the mail path: every <c>RCPT TO</c> and every delivery
/// asks here instead of the database. Rebuilt when the configuration database changed since
/// the last look (SQLite's <c>data_version</c>, which moves whenever another connection
/// commits), so an address added in the console takes effect for the next message.
/// </summary>
public sealed class RecipientDirectory : IDisposable
{
    /// <summary>Aliases of aliases, lists of lists: deeper than this is a loop.</summary>
    public const int MaxExpansionDepth = 10;

    private readonly IDbContextFactory<NodeDbContext> _databases;
    private readonly NodeOptions _node;
    private readonly Lock _lock = new();
    private SqliteConnection? _versionProbe;
    private long _version = -1;
    private Snapshot _snapshot = Snapshot.Empty;

    public RecipientDirectory(IDbContextFactory<NodeDbContext> databases, NodeOptions node)
    {
        _databases = databases;
        _node = node;
    }

    /// <summary>True when <paramref name="domain"/> (ASCII, any case) is one of this node's domains.</summary>
    public bool IsLocalDomain(string domain) => Current().Domains.Contains(domain.ToLowerInvariant());

    /// <summary>What <paramref name="path"/> stands for on this node; null when its domain is local but nothing has that address, or its domain is not local.</summary>
    public RecipientTarget? Find(MailPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var local = MailAddresses.NormalizeLocalPart(path.LocalPart);
        return local is null ? null : Current().Targets.GetValueOrDefault($"{local}@{path.Domain.ToLowerInvariant()}");
    }

    /// <summary>
    /// The final recipients of <paramref name="address"/>: itself when it is a mailbox or not
    /// local, else what its aliases, lists and groups stand for, each address once. Loops and
    /// chains deeper than <see cref="MaxExpansionDepth"/> end at the repeated address.
    /// </summary>
    public IReadOnlyList<string> Expand(string address)
    {
        var snapshot = Current();
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Walk(address, 0);
        return result;

        void Walk(string next, int depth)
        {
            var key = MailPath.FromAddress(next) is { } parsed ? $"{parsed.LocalPart}@{parsed.Domain}" : next;
            if (!seen.Add(key))
            {
                return;
            }

            var target = snapshot.Targets.GetValueOrDefault(key);
            IReadOnlyList<string>? members = target switch
            {
                RecipientTarget.AddressAlias alias => [alias.Target],
                RecipientTarget.MailingList list => list.Members,
                RecipientTarget.DirectoryGroup group => group.Members,
                _ => null,
            };
            if (members is null || depth >= MaxExpansionDepth)
            {
                result.Add(target is RecipientTarget.Mailbox mailbox ? mailbox.Address : key);
                return;
            }

            foreach (var member in members)
            {
                Walk(member, depth + 1);
            }
        }
    }

    public void Dispose()
    {
        _versionProbe?.Dispose();
    }

    private Snapshot Current()
    {
        lock (_lock)
        {
            _versionProbe ??= OpenProbe();
            using var command = _versionProbe.CreateCommand();
            command.CommandText = "PRAGMA data_version";
            var version = (long)command.ExecuteScalar()!;
            if (version != _version)
            {
                _snapshot = Load();
                _version = version;
            }

            return _snapshot;
        }
    }

    private SqliteConnection OpenProbe()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _node.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private Snapshot Load()
    {
        using var db = _databases.CreateDbContext();
        var domains = db.Domains.AsNoTracking().Select(d => new { d.Id, d.Name }).ToDictionary(d => d.Id, d => d.Name);
        var targets = new Dictionary<string, RecipientTarget>(StringComparer.Ordinal);

        var users = db.Users.AsNoTracking()
            .Select(u => new { u.Id, u.DomainId, u.LocalPart, u.Enabled, u.MissingFromDirectory, u.HomeServer })
            .ToList();
        var mailboxes = new Dictionary<int, RecipientTarget.Mailbox>();
        foreach (var user in users)
        {
            var domain = domains[user.DomainId];
            var mailbox = new RecipientTarget.Mailbox(user.Id, $"{user.LocalPart}@{domain}", domain, user.LocalPart, user.Enabled, user.MissingFromDirectory, user.HomeServer);
            mailboxes[user.Id] = mailbox;
            targets[mailbox.Address] = mailbox;
        }

        foreach (var alias in db.UserAliases.AsNoTracking().Select(a => new { a.UserId, a.DomainId, a.LocalPart }))
        {
            if (mailboxes.TryGetValue(alias.UserId, out var mailbox))
            {
                targets.TryAdd($"{alias.LocalPart}@{domains[alias.DomainId]}", mailbox);
            }
        }

        foreach (var alias in db.Aliases.AsNoTracking())
        {
            var address = $"{alias.LocalPart}@{domains[alias.DomainId]}";
            targets.TryAdd(address, new RecipientTarget.AddressAlias(address, alias.Target));
        }

        foreach (var list in db.MailingLists.AsNoTracking())
        {
            var address = $"{list.LocalPart}@{domains[list.DomainId]}";
            targets.TryAdd(address, new RecipientTarget.MailingList(address, list.Members));
        }

        var groups = db.Groups.AsNoTracking().Where(g => g.LocalPart != null)
            .Select(g => new { g.DomainId, g.LocalPart, Members = g.Members.Select(m => m.UserId).ToList() })
            .ToList();
        foreach (var group in groups)
        {
            var address = $"{group.LocalPart}@{domains[group.DomainId]}";
            var members = group.Members.Select(id => mailboxes.GetValueOrDefault(id)).OfType<RecipientTarget.Mailbox>().Select(m => m.Address).ToList();
            targets.TryAdd(address, new RecipientTarget.DirectoryGroup(address, members));
        }

        foreach (var resource in db.Resources.AsNoTracking().Select(r => new { r.Id, r.DomainId, r.LocalPart, r.HomeServer }))
        {
            var domain = domains[resource.DomainId];
            var address = $"{resource.LocalPart}@{domain}";
            targets.TryAdd(address, new RecipientTarget.Mailbox(resource.Id, address, domain, resource.LocalPart, Enabled: true, Removed: false, resource.HomeServer ?? _node.Name, MailboxKind.Resource));
        }

        return new Snapshot(domains.Values.ToFrozenSet(StringComparer.Ordinal), targets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record Snapshot(FrozenSet<string> Domains, FrozenDictionary<string, RecipientTarget> Targets)
    {
        public static Snapshot Empty { get; } = new(FrozenSet<string>.Empty, FrozenDictionary<string, RecipientTarget>.Empty);
    }
}
