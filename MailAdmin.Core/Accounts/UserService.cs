using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Accounts;

public enum UserSort
{
    Address,
    Name,
    Source,
    HomeServer,
    Enabled,
}

public sealed record UserQuery(
    string? Domain = null,
    string? Search = null,
    bool ThisServerOnly = false,
    int Page = 1,
    int PageSize = 50,
    UserSort SortBy = UserSort.Address,
    bool Descending = false);

/// <summary>A user as lists show it.</summary>
public sealed record UserInfo(
    string Address,
    string DisplayAddress,
    string Name,
    UserSource Source,
    string HomeServer,
    bool Enabled,
    bool MissingFromDirectory,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> Groups,
    bool DisabledByAdministrator = false,
    bool HiddenFromAddressList = false);

/// <summary>A user with everything the detail drawer shows.</summary>
/// <summary>A change of a user; null leaves a field as it is.</summary>
public sealed record UserChanges(string? Name = null, string? Password = null, bool? Enabled = null, bool? HiddenFromAddressList = null);

/// <summary>A user with everything the detail drawer shows.</summary>
public sealed record UserDetail(UserInfo User, string? DirectoryDn, string? Login, IReadOnlyDictionary<string, string> Attributes);

public sealed record UserPage(IReadOnlyList<UserInfo> Items, int Total);

public sealed record GroupInfo(string Name, string? Address, IReadOnlyList<string> Members);

/// <summary>
/// The users of the node's domains: directory users (changed in the
/// directory, read here) and local users (created and changed here).
/// </summary>
public sealed class UserService(
    IDbContextFactory<NodeDbContext> databases,
    AuditLog audit,
    NodeOptions node,
    Licensing.LicenceService licence,
    IHomeServerAdministration homeServers,
    TimeProvider clock)
{
    public const int MaxPageSize = 500;
    public const string UpdateAction = "user.update";

    public async Task<UserPage> ListAsync(AdminPrincipal reader, UserQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var domain = query.Domain is null ? null : DomainNames.Normalize(query.Domain);
        AccessPolicy.Demand(reader, Permission.ViewUsers, domain);
        var scope = AccessPolicy.DomainScope(reader);
        if (query.Page < 1)
        {
            throw MailAdminException.Invalid("invalid-page", "page starts at 1.");
        }

        if (query.PageSize is < 1 or > MaxPageSize)
        {
            throw MailAdminException.Invalid("invalid-page-size", $"pageSize must be from 1 to {MaxPageSize}.");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (domain is not null)
        {
            users = users.Where(u => u.Domain.Name == domain);
        }

        if (scope is not null)
        {
            users = users.Where(u => u.Domain.Name == scope);
        }

        if (query.ThisServerOnly)
        {
            users = users.Where(u => u.HomeServer == node.Name);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // instr(), not LIKE: '*', '%', '_', '(', ')' and '\' are ordinary characters here.
            var term = query.Search.Trim().Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
            users = users.Where(u => u.SearchText.Contains(term));
        }

        var total = await users.CountAsync(cancellationToken);
        users = (query.SortBy, query.Descending) switch
        {
            (UserSort.Name, false) => users.OrderBy(u => u.Name).ThenBy(u => u.LocalPart),
            (UserSort.Name, true) => users.OrderByDescending(u => u.Name).ThenBy(u => u.LocalPart),
            (UserSort.Source, false) => users.OrderBy(u => u.Source).ThenBy(u => u.LocalPart),
            (UserSort.Source, true) => users.OrderByDescending(u => u.Source).ThenBy(u => u.LocalPart),
            (UserSort.HomeServer, false) => users.OrderBy(u => u.HomeServer).ThenBy(u => u.LocalPart),
            (UserSort.HomeServer, true) => users.OrderByDescending(u => u.HomeServer).ThenBy(u => u.LocalPart),
            (UserSort.Enabled, false) => users.OrderBy(u => u.Enabled).ThenBy(u => u.LocalPart),
            (UserSort.Enabled, true) => users.OrderByDescending(u => u.Enabled).ThenBy(u => u.LocalPart),
            (_, false) => users.OrderBy(u => u.LocalPart).ThenBy(u => u.Domain.Name),
            (_, true) => users.OrderByDescending(u => u.LocalPart).ThenByDescending(u => u.Domain.Name),
        };
        var page = await users.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .Include(u => u.Domain).Include(u => u.Aliases).Include(u => u.Groups).ThenInclude(m => m.Group)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return new UserPage([.. page.Select(ToInfo)], total);
    }

    public async Task<UserDetail> GetAsync(AdminPrincipal reader, string address, CancellationToken cancellationToken)
    {
        var parsed = MailAddresses.Parse(address);
        AccessPolicy.Demand(reader, Permission.ViewUsers, parsed.Domain);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await FindAsync(db, parsed, cancellationToken);
        return new UserDetail(ToInfo(user), user.DirectoryDn, user.Login, user.Attributes);
    }

    public async Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(AdminPrincipal reader, string? domain, CancellationToken cancellationToken)
    {
        var ascii = domain is null ? null : DomainNames.Normalize(domain);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        var scope = AccessPolicy.DomainScope(reader);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var domains = await db.Domains.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        var groups = await db.Groups.AsNoTracking()
            .Include(g => g.Members).ThenInclude(m => m.User)
            .Where(g => (ascii == null || db.Domains.Any(d => d.Id == g.DomainId && d.Name == ascii))
                && (scope == null || db.Domains.Any(d => d.Id == g.DomainId && d.Name == scope)))
            .OrderBy(g => g.Name)
            .ToListAsync(cancellationToken);
        return [.. groups.Select(g => new GroupInfo(
            g.Name,
            g.LocalPart is null ? null : $"{g.LocalPart}@{domains[g.DomainId]}",
            [.. g.Members.Select(m => $"{m.User.LocalPart}@{domains[g.DomainId]}").Order(StringComparer.Ordinal)]))];
    }

    /// <summary>Creates a user that lives on this node only (manual, chapter 8).</summary>
    public Task<UserInfo> CreateLocalAsync(Actor actor, string address, string name, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "user.create-local", address ?? string.Empty, async () =>
        {
            var parsed = MailAddresses.Parse(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
            {
                throw MailAdminException.Invalid("invalid-name", "Give the user's full name (at most 256 characters).");
            }

            if (PasswordRules.Check(password ?? string.Empty) is { } problem)
            {
                throw MailAdminException.Invalid("weak-password", "The password is not acceptable: " + problem);
            }

            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domain = await DomainService.FindAsync(db, parsed.Domain, cancellationToken);
            await AddressBookService.EnsureFreeAsync(db, domain.Id, parsed, cancellationToken);
            var now = clock.GetUtcNow();
            var user = new MailUser
            {
                DomainId = domain.Id,
                Domain = domain,
                LocalPart = parsed.LocalPart,
                Name = name.Trim(),
                Source = UserSource.Local,
                HomeServer = node.Name,
                PasswordHash = PasswordHasher.Hash(password!),
                CreatedAt = now,
                UpdatedAt = now,
                SearchText = MailUser.SearchTextOf(name.Trim(), parsed.LocalPart, [], parsed.Domain),
            };
            db.Users.Add(user);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            licence.Invalidate();
            return ToInfo(user);
        }, cancellationToken);
    }

    /// <summary>
    /// Changes a user; null leaves a field as it is. A local user's name, password and
    /// enabled state can change here. A directory user's name and password belong to the
    /// directory; what can change here is whether they may sign in (<c>enabled</c>:
    /// false disables them whatever the directory says, mail is still delivered). A user
    /// whose mailbox lives on another server of the distributed domain is changed by that
    /// home server, which checks the administrator's rights again (manual, chapter 9);
    /// <paramref name="forwardToHome"/> is false for a change that came from a peer. Any user
    /// may be hidden from the Global Address List.
    /// </summary>
    public Task<UserInfo> UpdateAsync(Actor actor, string address, UserChanges changes, bool forwardToHome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(changes);
        var (name, password, enabled, hidden) = changes;
        return audit.RunAsync(actor, UpdateAction, address ?? string.Empty, async () =>
        {
            var parsed = MailAddresses.Parse(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var user = await FindAsync(db, parsed, cancellationToken);
            if (user.Source == UserSource.Directory)
            {
                if (name is not null || password is not null)
                {
                    throw MailAdminException.Conflict("user-in-directory",
                        $"{parsed} comes from the directory service: change the name or password there; the next sync brings the change here. Here you can enable or disable the user, and hide them from the address list.");
                }

                if (!string.Equals(user.HomeServer, node.Name, StringComparison.OrdinalIgnoreCase))
                {
                    if (!forwardToHome)
                    {
                        throw MailAdminException.Conflict("not-home-server",
                            $"The mailbox of {parsed} no longer lives on {node.Name} but on {user.HomeServer}; ask again there.");
                    }

                    var atHome = await homeServers.UpdateAsync(actor, user.HomeServer, $"{user.LocalPart}@{user.Domain.Name}", new DirectoryUserChanges(enabled, hidden), cancellationToken);

                    // The home's next document says the same; this copy shows it at once.
                    user.DisabledByAdministrator = !atHome.Enabled && user.Enabled;
                    user.HiddenFromAddressList = atHome.HiddenFromAddressList;
                }
                else if (enabled is { } value)
                {
                    if (value && !user.Enabled)
                    {
                        throw MailAdminException.Conflict("disabled-in-directory",
                            $"{parsed} is disabled in the directory service: enable it there; the next sync brings the change here.");
                    }

                    user.DisabledByAdministrator = !value;
                }

                if (hidden is { } hide && string.Equals(user.HomeServer, node.Name, StringComparison.OrdinalIgnoreCase))
                {
                    user.HiddenFromAddressList = hide;
                }

                user.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                licence.Invalidate();
                return ToInfo(user);
            }

            if (name is not null)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
                {
                    throw MailAdminException.Invalid("invalid-name", "Give the user's full name (at most 256 characters).");
                }

                user.Name = name.Trim();
            }

            if (password is not null)
            {
                if (PasswordRules.Check(password) is { } problem)
                {
                    throw MailAdminException.Invalid("weak-password", "The password is not acceptable: " + problem);
                }

                user.PasswordHash = PasswordHasher.Hash(password);
            }

            user.Enabled = enabled ?? user.Enabled;
            user.HiddenFromAddressList = hidden ?? user.HiddenFromAddressList;
            user.SearchText = MailUser.SearchTextOf(user.Name, user.LocalPart, user.Aliases.Select(a => a.LocalPart), user.Domain.Name);
            user.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            licence.Invalidate();
            return ToInfo(user);
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes a user and its mailbox. A directory user can be deleted only
    /// once the directory has disabled or removed it; otherwise the next sync
    /// would bring it back.
    /// </summary>
    public Task DeleteAsync(Actor actor, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "user.delete", address ?? string.Empty, async () =>
        {
            var parsed = MailAddresses.Parse(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var user = await FindAsync(db, parsed, cancellationToken);
            if (user.HomeServer != node.Name)
            {
                throw MailAdminException.Conflict("not-home-server",
                    $"The mailbox of {parsed} lives on the server {user.HomeServer}: delete it in {user.HomeServer}'s administration console.");
            }

            if (user.Source == UserSource.Directory && user.Enabled)
            {
                throw MailAdminException.Conflict("user-in-directory",
                    $"{parsed} comes from the directory service and is active there. Disable or delete it in the directory; after the next sync its mailbox can be deleted here.");
            }

            db.Users.Remove(user);
            await db.SaveChangesAsync(cancellationToken);
            licence.Invalidate();
        }, cancellationToken);
    }

    private static async Task<MailUser> FindAsync(NodeDbContext db, ParsedAddress parsed, CancellationToken cancellationToken)
    {
        var local = parsed.LocalPart;
        var domain = parsed.Domain;
        return await db.Users.Include(u => u.Domain).Include(u => u.Aliases).Include(u => u.Groups).ThenInclude(m => m.Group)
                .AsSplitQuery()
                .SingleOrDefaultAsync(u => u.Domain.Name == domain && (u.LocalPart == local || u.Aliases.Any(a => a.LocalPart == local)), cancellationToken)
            ?? throw MailAdminException.NotFound("user-not-found", $"There is no user {parsed} on this server.");
    }

    private static UserInfo ToInfo(MailUser user) =>
        new(
            $"{user.LocalPart}@{user.Domain.Name}",
            MailAddresses.Display(user.LocalPart, user.Domain.Name),
            user.Name,
            user.Source,
            user.HomeServer,
            user.Enabled && !user.DisabledByAdministrator,
            user.MissingFromDirectory,
            [.. user.Aliases.Select(a => $"{a.LocalPart}@{user.Domain.Name}").Order(StringComparer.Ordinal)],
            [.. user.Groups.Select(g => g.Group.Name).Order(StringComparer.Ordinal)],
            user.DisabledByAdministrator,
            user.HiddenFromAddressList);
}
