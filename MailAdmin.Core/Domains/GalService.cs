using System.Data.Common;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Domains;

/// <summary>What a Global Address List entry is.</summary>
public static class GalKinds
{
    public const string User = "user";
    public const string Group = "group";
    public const string List = "list";
    public const string Resource = "resource";
}

/// <summary>One entry of the Global Address List, as clients and the console show it.</summary>
public sealed record GalEntry(string Address, string Name, string Kind, string? Title, string? Department, string? Phone, string? Office, string? HomeServer);

public sealed record GalPage(IReadOnlyList<GalEntry> Items, int Total);

/// <summary>
/// The Global Address List of a domain (manual, chapters 1 and 8): every user of the
/// distributed domain on every server (each node holds a replica of the others' users),
/// its groups with an address and its mailing lists, sorted by name; local users appear
/// on their own server only, since only it knows them. Users disabled, gone from the
/// directory, or hidden from the address list are left out. The same data answers on
/// every node.
/// </summary>
/// <remarks>
/// Searches run over an in-memory copy of every domain's list, sorted once: a search is one
/// pass over lower-cased strings, a few milliseconds for 100,000 entries, where SQL's
/// <c>LIKE '%text%'</c> scanned and sorted the tables on every request. The copy is rebuilt on
/// the first request after the list changed: triggers on the tables it is made of raise
/// <c>AddressListVersion</c> (EF migration <c>AddressListVersion</c>), so other writes (the
/// audit log, migration progress) never cost a rebuild, and no change is ever missed.
/// </remarks>
public sealed class GalService(IDbContextFactory<NodeDbContext> databases, Nodes.NodeOptions node) : IDisposable
{
    public const int MaxPageSize = 500;
    public const int MaxSearchLength = 256;

    // Every entry of every domain, with what a search matches (lower-case).
    private const string Entries = """
        SELECT 'user' AS Kind, u.DomainId, u.LocalPart, u.Name,
               json_extract(u.Attributes, '$.title'), json_extract(u.Attributes, '$.department'),
               json_extract(u.Attributes, '$.phone'), json_extract(u.Attributes, '$.office'), u.HomeServer, u.SearchText
          FROM Users u
         WHERE u.Enabled = 1 AND u.MissingFromDirectory = 0 AND u.HiddenFromAddressList = 0
        UNION ALL
        SELECT 'group', g.DomainId, g.LocalPart, g.Name, NULL, NULL, NULL, NULL, NULL, NULL
          FROM Groups g
         WHERE g.LocalPart IS NOT NULL
        UNION ALL
        SELECT 'list', l.DomainId, l.LocalPart, l.LocalPart, NULL, NULL, NULL, NULL, COALESCE(l.HomeServer, $node), NULL
          FROM MailingLists l
        UNION ALL
        SELECT 'resource', r.DomainId, r.LocalPart, r.Name,
               CASE WHEN r.Capacity IS NULL THEN r.Type ELSE r.Type || ', ' || r.Capacity || ' seats' END,
               NULL, NULL, r.Location, COALESCE(r.HomeServer, $node), NULL
          FROM Resources r
        """;

    private readonly SemaphoreSlim _building = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>
    /// A page of the list; <paramref name="search"/> matches names and addresses literally,
    /// case-insensitively. Without <paramref name="domain"/>: a domain administrator's domain,
    /// or the node's only domain.
    /// </summary>
    public async Task<GalPage> SearchAsync(AdminPrincipal reader, string? domain, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ascii = await ReadableDomainAsync(reader, domain, cancellationToken);
        return await ReadAsync(ascii, search, page, pageSize, cancellationToken);
    }

    /// <summary>The domain an administrator reads: the one given, else their own, else the node's only one; checked.</summary>
    private async Task<string> ReadableDomainAsync(AdminPrincipal reader, string? domain, CancellationToken cancellationToken)
    {
        var ascii = domain is not null ? DomainNames.Normalize(domain) : AccessPolicy.DomainScope(reader) ?? await OnlyDomainAsync(cancellationToken);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        return ascii;
    }

    /// <summary>The whole list of a domain, for the vCard export.</summary>
    public async Task<IReadOnlyList<GalEntry>> AllAsync(AdminPrincipal reader, string? domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ascii = await ReadableDomainAsync(reader, domain, cancellationToken);
        return (await ListAsync(ascii, cancellationToken)).Entries;
    }

    /// <summary>
    /// A domain's whole list as it is now, sorted, and the version of the list it comes from (the
    /// same version, the same entries): for callers that derive something costly from it, such as
    /// the CardDAV cards. Who may read is the caller's to check.
    /// </summary>
    internal async Task<(long Version, IReadOnlyList<GalEntry> Entries)> ListAsync(string ascii, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        if (snapshot.Domains.TryGetValue(ascii, out var list))
        {
            return (snapshot.Version, list.Entries);
        }

        // Not a domain of this node: the same refusal as everywhere else.
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await DomainService.FindAsync(db, ascii, cancellationToken);
        return (snapshot.Version, []);
    }

    /// <summary>A page of the list of the user's own domain, for a user of the domain signed in with their mail password.</summary>
    public Task<GalPage> SearchForUserAsync(string userAddress, string? domain, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        var own = MailAddresses.Parse(userAddress).Domain;
        if (domain is not null && !string.Equals(DomainNames.Normalize(domain), own, StringComparison.Ordinal))
        {
            throw MailAdminException.Forbidden($"You may read the address list of your own domain ({own}) only.");
        }

        return ReadAsync(own, search, page, pageSize, cancellationToken);
    }

    public void Dispose() => _building.Dispose();

    private async Task<string> OnlyDomainAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var names = await db.Domains.AsNoTracking().Select(d => d.Name).Take(2).ToListAsync(cancellationToken);
        return names.Count == 1 ? names[0] : throw MailAdminException.Invalid("domain-required", "This server has several domains: say whose address list you want with ?domain=.");
    }

    internal async Task<GalPage> ReadAsync(string ascii, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (page < 1 || pageSize is < 1 or > MaxPageSize)
        {
            throw MailAdminException.Invalid("invalid-paging", $"page starts at 1 and pageSize is from 1 to {MaxPageSize}.");
        }

        if (search is { Length: > MaxSearchLength })
        {
            throw MailAdminException.Invalid("invalid-search", $"Search for at most {MaxSearchLength} characters.");
        }

        var snapshot = await CurrentAsync(cancellationToken);
        if (!snapshot.Domains.TryGetValue(ascii, out var list))
        {
            // Not a domain of this node: the same refusal as everywhere else.
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await DomainService.FindAsync(db, ascii, cancellationToken);
            list = DomainList.Empty;
        }

        return list.Page(string.IsNullOrWhiteSpace(search) ? null : search.Trim().ToLowerInvariant(), page, pageSize);
    }

    /// <summary>The in-memory list, rebuilt first when the tables it is made of changed since it was built.</summary>
    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var version = await VersionAsync(db, cancellationToken);
        if (_snapshot is { } current && current.Version == version)
        {
            return current;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            // Another request may have built it while this one waited.
            version = await VersionAsync(db, cancellationToken);
            if (_snapshot is { } built && built.Version == version)
            {
                return built;
            }

            var snapshot = await BuildAsync(db, version, cancellationToken);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _building.Release();
        }
    }

    private static async Task<long> VersionAsync(NodeDbContext db, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<long>("SELECT Version AS Value FROM AddressListVersion WHERE Id = 1").SingleAsync(cancellationToken);

    private async Task<Snapshot> BuildAsync(NodeDbContext db, long version, CancellationToken cancellationToken)
    {
        var domains = await db.Domains.AsNoTracking().Select(d => new { d.Id, d.Name }).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        var rows = domains.Keys.ToDictionary(id => id, _ => new List<(GalEntry Entry, string Key)>());
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var select = connection.CreateCommand())
        {
            select.CommandText = Entries;
            var parameter = select.CreateParameter();
            parameter.ParameterName = "$node";
            parameter.Value = node.Name;
            select.Parameters.Add(parameter);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var domainId = reader.GetInt32(1);
                if (!rows.TryGetValue(domainId, out var list))
                {
                    continue;
                }

                var entry = new GalEntry(
                    $"{reader.GetString(2)}@{domains[domainId]}",
                    reader.GetString(3),
                    reader.GetString(0),
                    TextOrNull(reader, 4),
                    TextOrNull(reader, 5),
                    TextOrNull(reader, 6),
                    TextOrNull(reader, 7),
                    TextOrNull(reader, 8));
                // Users carry their search text (name, addresses, aliases); groups and lists match by name and
                // address, resources also by their kind and location ("room", "3rd floor").
                list.Add((entry, reader.IsDBNull(9) ? $"{entry.Name}\n{entry.Address}\n{entry.Title}\n{entry.Office}".ToLowerInvariant() : reader.GetString(9)));
            }
        }

        return new Snapshot(version, rows.ToDictionary(r => domains[r.Key], r => DomainList.Of(r.Value), StringComparer.Ordinal));
    }

    private static string? TextOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal)?.ToString() is { Length: > 0 } text ? text : null;

    private sealed record Snapshot(long Version, Dictionary<string, DomainList> Domains);

    /// <summary>
    /// One domain's entries sorted by name (then address), and what a search matches: every
    /// entry's lower-case key in one string, separated by a character no key holds, so a search
    /// is a vectorised <see cref="string.IndexOf(string, int, StringComparison)"/> over it rather
    /// than one call per entry.
    /// </summary>
    private sealed class DomainList
    {
        private const char Separator = '\u0001';
        private readonly GalEntry[] _entries;
        private readonly string _text;
        private readonly int[] _starts;

        private DomainList(GalEntry[] entries, string[] keys)
        {
            _entries = entries;
            _starts = new int[keys.Length];
            var text = new System.Text.StringBuilder(keys.Sum(k => k.Length + 1));
            for (var i = 0; i < keys.Length; i++)
            {
                _starts[i] = text.Length;
                text.Append(keys[i].Replace(Separator, ' ')).Append(Separator);
            }

            _text = text.ToString();
        }

        public static DomainList Empty { get; } = new([], []);

        public IReadOnlyList<GalEntry> Entries => _entries;

        public static DomainList Of(List<(GalEntry Entry, string Key)> rows)
        {
            rows.Sort((a, b) =>
            {
                var byName = StringComparer.OrdinalIgnoreCase.Compare(a.Entry.Name, b.Entry.Name);
                return byName != 0 ? byName : StringComparer.Ordinal.Compare(a.Entry.Address, b.Entry.Address);
            });
            return new DomainList([.. rows.Select(r => r.Entry)], [.. rows.Select(r => r.Key)]);
        }

        /// <summary>The page of the entries whose key contains <paramref name="search"/> (all when null), and how many match in all.</summary>
        public GalPage Page(string? search, int page, int pageSize)
        {
            var skip = (long)(page - 1) * pageSize;
            if (search is null)
            {
                var slice = skip >= _entries.Length ? [] : new ArraySegment<GalEntry>(_entries, (int)skip, (int)Math.Min(pageSize, _entries.Length - skip)).ToList();
                return new GalPage(slice, _entries.Length);
            }

            if (search.Contains(Separator, StringComparison.Ordinal))
            {
                return new GalPage([], 0);
            }

            var items = new List<GalEntry>();
            var total = 0;
            var from = 0;
            while (from < _text.Length)
            {
                var at = _text.IndexOf(search, from, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                // The entry whose key holds the match; the search goes on after that key, so an entry counts once.
                var index = Array.BinarySearch(_starts, at);
                index = index >= 0 ? index : ~index - 1;
                if (total >= skip && items.Count < pageSize)
                {
                    items.Add(_entries[index]);
                }

                total++;
                from = index + 1 < _starts.Length ? _starts[index + 1] : _text.Length;
            }

            return new GalPage(items, total);
        }
    }
}
