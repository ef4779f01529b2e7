using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// The one place where roles meet permissions (manual, chapter 9):
/// <list type="bullet">
/// <item><c>server-rw</c> may do everything;</item>
/// <item><c>server-ro</c> may see everything and change only their own password;</item>
/// <item><c>domain-admin</c> may see and manage the users of their own domain,
/// on every server of the distributed domain, and see the mail queue's messages for
/// their domain; nothing server-wide.</item>
/// </list>
/// Domain-scoped permissions asked without a domain answer whether the
/// principal may act on some domain; the service then limits what it shows
/// with <see cref="DomainScope"/>.
/// </summary>
public static class AccessPolicy
{
    private static readonly HashSet<Permission> ReadOnly =
    [
        Permission.ViewNode, Permission.ChangeOwnPassword, Permission.ViewLicence, Permission.ViewAudit,
        Permission.ViewAdministrators, Permission.ViewDomains, Permission.ViewUsers, Permission.ViewQueue,
    ];

    // What a domain administrator holds, for their own domain only. Server roles do not read
    // this set: adding to it never changes what server-ro or server-rw may do.
    private static readonly HashSet<Permission> DomainScoped =
    [
        Permission.ViewDomains, Permission.ViewUsers, Permission.ManageUsers, Permission.ViewQueue,
    ];

    public static bool Allows(AdminPrincipal principal, Permission permission, string? domain = null)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.Role switch
        {
            AdminRole.ServerReadWrite => true,
            AdminRole.ServerReadOnly => ReadOnly.Contains(permission),
            AdminRole.DomainAdmin => permission is Permission.ViewNode or Permission.ChangeOwnPassword
                || (DomainScoped.Contains(permission)
                    && (domain is null || string.Equals(domain, principal.Domain, StringComparison.OrdinalIgnoreCase))),
            _ => false,
        };
    }

    /// <summary>Throws the <c>forbidden</c> refusal unless the principal holds the permission.</summary>
    public static void Demand(AdminPrincipal principal, Permission permission, string? domain = null)
    {
        if (!Allows(principal, permission, domain))
        {
            throw MailAdminException.Forbidden(
                $"Your role ({principal.Role.DisplayName()}) does not allow this. Ask an administrator with whole-server read/write rights.");
        }
    }

    /// <summary>The only domain the principal may see, or null for every domain.</summary>
    public static string? DomainScope(AdminPrincipal principal) =>
        principal.Role == AdminRole.DomainAdmin ? principal.Domain : null;
}
