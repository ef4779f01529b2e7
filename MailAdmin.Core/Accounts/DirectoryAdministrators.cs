using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// Administrators who sign in with their directory account. The password is
/// checked by a bind as that user and never stored; the role comes from a
/// grant to the user (<c>user:address</c>) or to one of its groups
/// (<c>group:address</c>, a group without an address being named
/// <c>group:&lt;name&gt;@&lt;domain&gt;</c>), groups read at sign-in with nesting resolved.
/// When several grants apply, the widest role wins.
/// </summary>
public sealed class DirectoryAdministrators(IDbContextFactory<NodeDbContext> databases, IDirectoryClient directory, DomainService domains)
{
    /// <summary>The sign-in, or null when the address is unknown, the password wrong or no grant applies.</summary>
    public async Task<SignedIn?> SignInAsync(string address, string password, CancellationToken cancellationToken)
    {
        if (!MailAddresses.TryParse(address, out var parsed) || password.Length is 0 or > PasswordRules.MaxLength)
        {
            return null;
        }

        DirectoryConnection connection;
        int domainId;
        string? login;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var domain = await db.Domains.AsNoTracking().Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == parsed.Domain, cancellationToken);
            if (domain?.Directory is null)
            {
                return null;
            }

            domainId = domain.Id;
            connection = domains.ConnectionOf(domain.Directory);

            // A directory user without a mail attribute is mapped as login@domain; the
            // directory cannot find that address, so it is looked up by the login instead.
            login = await db.Users.AsNoTracking()
                .Where(u => u.DomainId == domainId && u.LocalPart == parsed.LocalPart && u.Source == UserSource.Directory)
                .Select(u => u.Login)
                .SingleOrDefaultAsync(cancellationToken);
        }

        DirectoryLogin? signedIn;
        try
        {
            signedIn = await directory.AuthenticateAsync(connection, parsed.ToString(), login, password, cancellationToken);
        }
        catch (MailAdminException e) when (e.Kind is ErrorKind.Unavailable or ErrorKind.Invalid)
        {
            throw new MailAdminException(ErrorKind.Unavailable, "directory-unreachable",
                $"The directory service of {DomainNames.ToUnicode(parsed.Domain)} cannot be reached, so directory accounts cannot sign in now. The local administrator (admin) still can.");
        }

        if (signedIn is null || !signedIn.User.Enabled)
        {
            return null;
        }

        await using var database = await databases.CreateDbContextAsync(cancellationToken);
        var user = await database.Users.AsNoTracking().SingleOrDefaultAsync(u => u.DomainId == domainId && u.DirectoryId == signedIn.User.DirectoryId, cancellationToken);
        var principalId = $"user:{(user?.LocalPart ?? parsed.LocalPart)}@{parsed.Domain}";
        var groups = await GroupPrincipalsAsync(database, domainId, parsed.Domain, signedIn.GroupDns, cancellationToken);
        var principal = await StrongestGrantAsync(database, principalId, signedIn.User.Name, groups, cancellationToken);
        return principal is null ? null : new SignedIn(principal, StampOf(principal));
    }

    /// <summary>
    /// Re-checks a directory administrator's session against the node's copy
    /// of the directory (users and groups as last synced): a disabled user or
    /// a revoked grant ends the session.
    /// </summary>
    public async Task<AdminPrincipal?> ValidateSessionAsync(string principalId, string stamp, CancellationToken cancellationToken)
    {
        if (!principalId.StartsWith("user:", StringComparison.Ordinal) || !MailAddresses.TryParse(principalId[5..], out var parsed))
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Include(u => u.Groups).ThenInclude(m => m.Group)
            .SingleOrDefaultAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart && u.Source == UserSource.Directory, cancellationToken);
        if (user is null || !user.Enabled || user.DisabledByAdministrator)
        {
            return null;
        }

        var groups = user.Groups.Select(m => GroupPrincipal(m.Group, parsed.Domain)).ToList();
        var principal = await StrongestGrantAsync(db, principalId, user.Name, groups, cancellationToken);
        return principal is not null && StampOf(principal) == stamp ? principal : null;
    }

    private static async Task<List<string>> GroupPrincipalsAsync(NodeDbContext db, int domainId, string domainAscii, IReadOnlyList<string> groupDns, CancellationToken cancellationToken)
    {
        var keys = groupDns.Select(GroupMembership.DnKey).ToHashSet(StringComparer.Ordinal);
        var groups = await db.Groups.AsNoTracking().Where(g => g.DomainId == domainId).ToListAsync(cancellationToken);
        return [.. groups.Where(g => keys.Contains(GroupMembership.DnKey(g.DirectoryDn))).Select(g => GroupPrincipal(g, domainAscii))];
    }

    private static string GroupPrincipal(MailGroup group, string domainAscii) =>
        $"group:{group.LocalPart ?? group.Name.ToLowerInvariant()}@{domainAscii}";

    private static async Task<AdminPrincipal?> StrongestGrantAsync(NodeDbContext db, string userPrincipal, string displayName, List<string> groups, CancellationToken cancellationToken)
    {
        var candidates = groups.Append(userPrincipal).ToList();
        var grants = await db.AdminGrants.AsNoTracking().Where(g => candidates.Contains(g.Principal)).ToListAsync(cancellationToken);
        var best = grants.OrderBy(g => g.Role).ThenBy(g => g.Domain, StringComparer.Ordinal).FirstOrDefault();
        return best is null ? null : new AdminPrincipal(userPrincipal, displayName, best.Role, best.Domain);
    }

    /// <summary>A directory session is bound to the role it was given: a change of role ends it.</summary>
    private static string StampOf(AdminPrincipal principal) => $"directory:{principal.Role.ToWire()}:{principal.Domain}";
}
