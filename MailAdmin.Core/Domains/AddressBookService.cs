using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Domains;

public sealed record AliasInfo(string Alias, string Target);

public sealed record MailingListInfo(string Address, IReadOnlyList<string> Members);

/// <summary>
/// A domain's aliases and mailing lists: addresses that deliver elsewhere.
/// An address is held by one thing only (a user, a user's alias, a group,
/// an alias or a list), and no alias or list may lead back to itself.
/// </summary>
public sealed class AddressBookService(IDbContextFactory<NodeDbContext> databases, AuditLog audit)
{
    public const int MaxListMembers = 5_000;

    public async Task<IReadOnlyList<AliasInfo>> ListAliasesAsync(AdminPrincipal reader, string domain, CancellationToken cancellationToken)
    {
        var ascii = DomainNames.Normalize(domain);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var id = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
        var aliases = await db.Aliases.AsNoTracking().Where(a => a.DomainId == id).OrderBy(a => a.LocalPart).ToListAsync(cancellationToken);
        return [.. aliases.Select(a => new AliasInfo($"{a.LocalPart}@{ascii}", a.Target))];
    }

    public Task<AliasInfo> CreateAliasAsync(Actor actor, string domain, string alias, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "alias.create", $"{alias} -> {target}", async () =>
        {
            var ascii = DomainNames.Normalize(domain);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(alias, ascii);
            var destination = MailAddresses.Parse(target);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domainId = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
            await EnsureFreeAsync(db, domainId, parsed, cancellationToken);
            if (await LeadsToAsync(db, destination, parsed, cancellationToken))
            {
                throw MailAdminException.Invalid("alias-loop", $"{parsed} -> {destination} would make a loop: mail would come back to {parsed}.");
            }

            db.Aliases.Add(new DomainAlias { DomainId = domainId, LocalPart = parsed.LocalPart, Target = destination.ToString() });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new AliasInfo(parsed.ToString(), destination.ToString());
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<MailingListInfo>> ListListsAsync(AdminPrincipal reader, string domain, CancellationToken cancellationToken)
    {
        var ascii = DomainNames.Normalize(domain);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var id = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
        var lists = await db.MailingLists.AsNoTracking().Where(l => l.DomainId == id).OrderBy(l => l.LocalPart).ToListAsync(cancellationToken);
        return [.. lists.Select(l => new MailingListInfo($"{l.LocalPart}@{ascii}", l.Members))];
    }

    public Task<MailingListInfo> CreateListAsync(Actor actor, string domain, string address, IReadOnlyList<string> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(members);
        return audit.RunAsync(actor, "list.create", address ?? string.Empty, async () =>
        {
            var ascii = DomainNames.Normalize(domain);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(address, ascii);
            var parsedMembers = ParseMembers(members);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domainId = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
            await EnsureFreeAsync(db, domainId, parsed, cancellationToken);
            await EnsureNoLoopAsync(db, parsed, parsedMembers, cancellationToken);
            var list = new MailingList { DomainId = domainId, LocalPart = parsed.LocalPart, Members = [.. parsedMembers.Select(m => m.ToString())] };
            db.MailingLists.Add(list);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new MailingListInfo(parsed.ToString(), list.Members);
        }, cancellationToken);
    }

    /// <summary>Removes an alias; mail to its address is then refused like any unknown address.</summary>
    public Task DeleteAliasAsync(Actor actor, string domain, string alias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "alias.delete", alias ?? string.Empty, async () =>
        {
            var ascii = DomainNames.Normalize(domain);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(alias, ascii);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var domainId = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
            var local = parsed.LocalPart;
            var found = await db.Aliases.SingleOrDefaultAsync(a => a.DomainId == domainId && a.LocalPart == local, cancellationToken)
                ?? throw MailAdminException.NotFound("alias-not-found", $"There is no alias {parsed}.");
            EnsureHome(found.HomeServer, parsed);
            db.Aliases.Remove(found);
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Replaces a list's members; refused, and nothing changed, when a member would lead back to the list.</summary>
    public Task<MailingListInfo> UpdateListAsync(Actor actor, string domain, string address, IReadOnlyList<string> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(members);
        return audit.RunAsync(actor, "list.update", address ?? string.Empty, async () =>
        {
            var ascii = DomainNames.Normalize(domain);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(address, ascii);
            var parsedMembers = ParseMembers(members);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var list = await FindListAsync(db, ascii, parsed, cancellationToken);
            await EnsureNoLoopAsync(db, parsed, parsedMembers, cancellationToken);
            list.Members = [.. parsedMembers.Select(m => m.ToString())];
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new MailingListInfo(parsed.ToString(), list.Members);
        }, cancellationToken);
    }

    public Task DeleteListAsync(Actor actor, string domain, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "list.delete", address ?? string.Empty, async () =>
        {
            var ascii = DomainNames.Normalize(domain);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(address, ascii);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            db.MailingLists.Remove(await FindListAsync(db, ascii, parsed, cancellationToken));
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
    }

    private static async Task<MailingList> FindListAsync(NodeDbContext db, string domainAscii, ParsedAddress parsed, CancellationToken cancellationToken)
    {
        var domainId = (await DomainService.FindAsync(db, domainAscii, cancellationToken)).Id;
        var local = parsed.LocalPart;
        var list = await db.MailingLists.SingleOrDefaultAsync(l => l.DomainId == domainId && l.LocalPart == local, cancellationToken)
            ?? throw MailAdminException.NotFound("list-not-found", $"There is no mailing list {parsed}.");
        EnsureHome(list.HomeServer, parsed);
        return list;
    }

    /// <summary>Aliases and lists are administered on their home server only (manual, chapter 8).</summary>
    private static void EnsureHome(string? homeServer, ParsedAddress address)
    {
        if (homeServer is not null)
        {
            throw MailAdminException.Conflict("not-home-server",
                $"{address} belongs to the server {homeServer} of the distributed domain: change it in {homeServer}'s administration console (manual, chapter 8).");
        }
    }

    private static List<ParsedAddress> ParseMembers(IReadOnlyList<string> members)
    {
        if (members.Count == 0 || members.Count > MaxListMembers)
        {
            throw MailAdminException.Invalid("invalid-members", $"A list has from 1 to {MaxListMembers} members.");
        }

        return [.. members.Select(MailAddresses.Parse).Distinct()];
    }

    private static async Task EnsureNoLoopAsync(NodeDbContext db, ParsedAddress list, IEnumerable<ParsedAddress> members, CancellationToken cancellationToken)
    {
        foreach (var member in members)
        {
            if (member == list || await LeadsToAsync(db, member, list, cancellationToken))
            {
                throw MailAdminException.Invalid("list-loop", $"{member} leads back to the list {list}: a list cannot contain itself.");
            }
        }
    }

    /// <summary>Whether following aliases and lists from <paramref name="start"/> reaches <paramref name="goal"/>.</summary>
    private static async Task<bool> LeadsToAsync(NodeDbContext db, ParsedAddress start, ParsedAddress goal, CancellationToken cancellationToken)
    {
        var domains = await db.Domains.AsNoTracking().ToDictionaryAsync(d => d.Name, d => d.Id, cancellationToken);
        var visited = new HashSet<ParsedAddress>();
        var pending = new Stack<ParsedAddress>([start]);
        while (pending.TryPop(out var current))
        {
            if (current == goal)
            {
                return true;
            }

            if (!visited.Add(current) || !domains.TryGetValue(current.Domain, out var domainId))
            {
                continue;
            }

            var local = current.LocalPart;
            var alias = await db.Aliases.AsNoTracking().SingleOrDefaultAsync(a => a.DomainId == domainId && a.LocalPart == local, cancellationToken);
            if (alias is not null && MailAddresses.TryParse(alias.Target, out var next))
            {
                pending.Push(next);
            }

            var list = await db.MailingLists.AsNoTracking().SingleOrDefaultAsync(l => l.DomainId == domainId && l.LocalPart == local, cancellationToken);
            foreach (var member in list?.Members ?? [])
            {
                if (MailAddresses.TryParse(member, out var parsed))
                {
                    pending.Push(parsed);
                }
            }
        }

        return false;
    }

    internal static async Task EnsureFreeAsync(NodeDbContext db, int domainId, ParsedAddress parsed, CancellationToken cancellationToken)
    {
        var local = parsed.LocalPart;
        var taken = await db.Users.AnyAsync(u => u.DomainId == domainId && u.LocalPart == local, cancellationToken)
            || await db.UserAliases.AnyAsync(a => a.DomainId == domainId && a.LocalPart == local, cancellationToken)
            || await db.Aliases.AnyAsync(a => a.DomainId == domainId && a.LocalPart == local, cancellationToken)
            || await db.MailingLists.AnyAsync(l => l.DomainId == domainId && l.LocalPart == local, cancellationToken)
            || await db.Groups.AnyAsync(g => g.DomainId == domainId && g.LocalPart == local, cancellationToken)
            || await db.Resources.AnyAsync(r => r.DomainId == domainId && r.LocalPart == local, cancellationToken);
        if (taken)
        {
            throw MailAdminException.Conflict("address-exists", $"{parsed} is already an address of a user, alias, list, group or resource. Choose another address.");
        }
    }

    private static ParsedAddress ParseInDomain(string? address, string domainAscii)
    {
        var value = address ?? string.Empty;
        var parsed = MailAddresses.Parse(value.Contains('@', StringComparison.Ordinal) ? value : $"{value}@{domainAscii}");
        if (parsed.Domain != domainAscii)
        {
            throw MailAdminException.Invalid("wrong-domain", $"{parsed} is not in {DomainNames.ToUnicode(domainAscii)}.");
        }

        return parsed;
    }
}
