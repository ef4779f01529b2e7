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
public sealed class GalService(IDbContextFactory<NodeDbContext> databases, Nodes.NodeOptions node)
{
    public const int MaxPageSize = 500;
    public const int MaxSearchLength = 256;

    // One query over the three kinds so the order by name and the paging are exact across them.
    private const string Entries = """
        SELECT 'user' AS Kind, u.LocalPart, u.Name,
               json_extract(u.Attributes, '$.title'), json_extract(u.Attributes, '$.department'),
               json_extract(u.Attributes, '$.phone'), json_extract(u.Attributes, '$.office'), u.HomeServer
          FROM Users u
         WHERE u.DomainId = $domain AND u.Enabled = 1 AND u.MissingFromDirectory = 0 AND u.HiddenFromAddressList = 0
           AND ($pattern IS NULL OR u.SearchText LIKE $pattern ESCAPE '\')
        UNION ALL
        SELECT 'group', g.LocalPart, g.Name, NULL, NULL, NULL, NULL, NULL
          FROM Groups g
         WHERE g.DomainId = $domain AND g.LocalPart IS NOT NULL
           AND ($pattern IS NULL OR lower(g.Name) LIKE $pattern ESCAPE '\' OR g.LocalPart LIKE $pattern ESCAPE '\')
        UNION ALL
        SELECT 'list', l.LocalPart, l.LocalPart, NULL, NULL, NULL, NULL, COALESCE(l.HomeServer, $node)
          FROM MailingLists l
         WHERE l.DomainId = $domain AND ($pattern IS NULL OR l.LocalPart LIKE $pattern ESCAPE '\')
        """;

    /// <summary>
    /// A page of the list; <paramref name="search"/> matches names and addresses literally,
    /// case-insensitively. Without <paramref name="domain"/>: a domain administrator's domain,
    /// or the node's only domain.
    /// </summary>
    public async Task<GalPage> SearchAsync(AdminPrincipal reader, string? domain, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ascii = domain is not null ? DomainNames.Normalize(domain) : AccessPolicy.DomainScope(reader) ?? await OnlyDomainAsync(cancellationToken);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        return await ReadAsync(ascii, search, page, pageSize, cancellationToken);
    }

    /// <summary>The whole list of a domain, for the vCard export.</summary>
    public async Task<IReadOnlyList<GalEntry>> AllAsync(AdminPrincipal reader, string? domain, CancellationToken cancellationToken)
    {
        var entries = new List<GalEntry>();
        for (var page = 1; ; page++)
        {
            var batch = await SearchAsync(reader, domain, search: null, page, MaxPageSize, cancellationToken);
            entries.AddRange(batch.Items);
            if (batch.Items.Count < MaxPageSize)
            {
                return entries;
            }
        }
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

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var domainId = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
        var pattern = string.IsNullOrWhiteSpace(search) ? null : "%" + Escape(search.Trim().ToLowerInvariant()) + "%";
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);

        int total;
        await using (var count = Command(connection, $"SELECT COUNT(*) FROM ({Entries})", domainId, pattern))
        {
            total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var items = new List<GalEntry>();
        await using var select = Command(connection, $"SELECT * FROM ({Entries}) ORDER BY 3 COLLATE NOCASE, 2 LIMIT $take OFFSET $skip", domainId, pattern);
        AddParameter(select, "$take", pageSize);
        AddParameter(select, "$skip", (long)(page - 1) * pageSize);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new GalEntry(
                $"{reader.GetString(1)}@{ascii}",
                reader.GetString(2),
                reader.GetString(0),
                TextOrNull(reader, 3),
                TextOrNull(reader, 4),
                TextOrNull(reader, 5),
                TextOrNull(reader, 6),
                TextOrNull(reader, 7)));
        }

        return new GalPage(items, total);
    }

    private DbCommand Command(DbConnection connection, string sql, int domainId, string? pattern)
    {
        var nodeName = node.Name;
        var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameter(command, "$domain", domainId);
        AddParameter(command, "$pattern", pattern);
        AddParameter(command, "$node", nodeName);
        return command;
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static string? TextOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal)?.ToString() is { Length: > 0 } text ? text : null;

    /// <summary>The search is literal: LIKE's own characters are escaped.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
