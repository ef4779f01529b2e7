using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Domains;

/// <summary>
/// The node's mail domains and their directory settings. A domain's
/// addresses refer to it by id, so a rename is one row and needs no restart.
/// </summary>
public sealed class DomainService(
    IDbContextFactory<NodeDbContext> databases,
    AuditLog audit,
    IDirectoryClient directory,
    IDataProtectionProvider protection,
    Distribution.ClusterState cluster,
    TimeProvider clock)
{
    private const string PasswordPurpose = "MailAdmin.Directory.BindPassword.v1";

    public async Task<IReadOnlyList<DomainInfo>> ListAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewDomains);
        var scope = AccessPolicy.DomainScope(reader);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var domains = await db.Domains.AsNoTracking().Include(d => d.Directory)
            .Where(d => scope == null || d.Name == scope)
            .OrderBy(d => d.Name)
            .ToListAsync(cancellationToken);
        var counts = await db.Users.GroupBy(u => u.DomainId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return [.. domains.Select(d => ToInfo(d, counts.GetValueOrDefault(d.Id)))];
    }

    public async Task<DomainInfo> GetAsync(AdminPrincipal reader, string name, CancellationToken cancellationToken)
    {
        var ascii = DomainNames.Normalize(name);
        AccessPolicy.Demand(reader, Permission.ViewDomains, ascii);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var domain = await FindAsync(db, ascii, cancellationToken);
        var users = await db.Users.CountAsync(u => u.DomainId == domain.Id, cancellationToken);
        return ToInfo(domain, users);
    }

    public Task<DomainInfo> CreateAsync(Actor actor, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "domain.create", name ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageDomains);
            var ascii = DomainNames.Normalize(name);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            if (await db.Domains.AnyAsync(d => d.Name == ascii, cancellationToken))
            {
                throw Exists(ascii);
            }

            var domain = new MailDomain { Name = ascii, CreatedAt = clock.GetUtcNow() };
            db.Domains.Add(domain);
            await db.SaveChangesAsync(cancellationToken);
            return ToInfo(domain, 0);
        }, cancellationToken);
    }

    /// <summary>
    /// Renames a domain with everything that names it: users, their aliases,
    /// groups, aliases and lists follow by id; alias targets and list members
    /// written as addresses in the old domain are rewritten in the same transaction.
    /// </summary>
    public Task<DomainInfo> RenameAsync(Actor actor, string name, string newName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "domain.rename", $"{name} -> {newName}", async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageDomains);
            var oldAscii = DomainNames.Normalize(name);
            var newAscii = DomainNames.Normalize(newName);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domain = await FindAsync(db, oldAscii, cancellationToken);
            if (domain.IsDistributed)
            {
                throw MailAdminException.Conflict("domain-is-distributed",
                    $"{DomainNames.ToUnicode(oldAscii)} is a distributed domain. To rename it, disconnect every server from the distributed domain, rename the domain on each server, then connect them again (manual, chapter 6).");
            }

            if (newAscii == oldAscii)
            {
                return ToInfo(domain, await db.Users.CountAsync(u => u.DomainId == domain.Id, cancellationToken));
            }

            if (await db.Domains.AnyAsync(d => d.Name == newAscii, cancellationToken))
            {
                throw Exists(newAscii);
            }

            domain.Name = newAscii;
            foreach (var alias in await db.Aliases.ToListAsync(cancellationToken))
            {
                alias.Target = Rewrite(alias.Target, oldAscii, newAscii);
            }

            foreach (var list in await db.MailingLists.ToListAsync(cancellationToken))
            {
                list.Members = [.. list.Members.Select(m => Rewrite(m, oldAscii, newAscii))];
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return ToInfo(domain, await db.Users.CountAsync(u => u.DomainId == domain.Id, cancellationToken));
        }, cancellationToken);
    }

    public Task DeleteAsync(Actor actor, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "domain.delete", name ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageDomains);
            var ascii = DomainNames.Normalize(name);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domain = await FindAsync(db, ascii, cancellationToken);
            if (domain.IsDistributed)
            {
                throw MailAdminException.Conflict("domain-is-distributed",
                    $"{DomainNames.ToUnicode(ascii)} is a distributed domain: disconnect this server from the distributed domain first.");
            }

            var mailboxes = await db.Users.CountAsync(u => u.DomainId == domain.Id, cancellationToken);
            if (mailboxes > 0)
            {
                throw MailAdminException.Conflict("domain-has-mailboxes",
                    $"{DomainNames.ToUnicode(ascii)} still holds {mailboxes} mailbox{(mailboxes == 1 ? string.Empty : "es")}. Delete or migrate them first, then delete the domain.");
            }

            db.Domains.Remove(domain);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>A note for administrators; in a distributed domain it is set on the master and every slave inherits it.</summary>
    public Task<DomainInfo> SetDescriptionAsync(Actor actor, string name, string? description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "domain.description.set", name ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageDomains);
            var ascii = DomainNames.Normalize(name);
            var text = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
            if (text is { Length: > 500 } || (text is not null && text.Any(char.IsControl)))
            {
                throw MailAdminException.Invalid("invalid-description", "A description is one line of at most 500 characters.");
            }

            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var domain = await FindAsync(db, ascii, cancellationToken);
            if (domain.IsDistributed && cluster.Role == Nodes.NodeRole.Slave)
            {
                throw MailAdminException.Conflict("inherited-setting",
                    $"{DomainNames.ToUnicode(ascii)} is distributed: its settings are inherited from the master {cluster.MasterName}. Change the description there.");
            }

            domain.Description = text;
            await db.SaveChangesAsync(cancellationToken);
            return ToInfo(domain, await db.Users.CountAsync(u => u.DomainId == domain.Id, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>
    /// Saves a domain's directory settings after a test bind and a test
    /// search with them. A failed test saves nothing and says what went wrong.
    /// </summary>
    public Task SetDirectoryAsync(Actor actor, string name, DirectoryInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        return audit.RunAsync(actor, "domain.directory.set", name ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageDomains);
            var ascii = DomainNames.Normalize(name);
            Validate(input);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var domain = await FindAsync(db, ascii, cancellationToken);
            if (domain.IsDistributed && cluster.Role == Nodes.NodeRole.Slave && domain.Directory is { } inherited
                && (!SameDn(inherited.BaseDn, input.BaseDn) || inherited.Profile != input.Profile
                    || LdapFilter.Normalize(input.UserFilter, "userFilter") != inherited.UserFilter
                    || LdapFilter.Normalize(input.GroupFilter, "groupFilter") != inherited.GroupFilter))
            {
                throw MailAdminException.Conflict("inherited-setting",
                    $"{DomainNames.ToUnicode(ascii)} is distributed: its base DN, schema and user and group filters are inherited from the master {cluster.MasterName}. Change them on the master; here you set only this server's connection (host, port, security, bind DN, password) and its placement filter.");
            }

            var protector = protection.CreateProtector(PasswordPurpose);
            var password = input.BindPassword
                ?? (domain.Directory is { } existing ? protector.Unprotect(existing.ProtectedBindPassword) : null)
                ?? throw MailAdminException.Invalid("bind-password-required", "Type the bind password: the directory service needs it to map users.");

            var connection = new DirectoryConnection(input.Host.Trim(), input.Port, input.Security, input.BindDn.Trim(), password, input.BaseDn.Trim(),
                input.Profile, LdapFilter.Normalize(input.UserFilter, "userFilter"), LdapFilter.Normalize(input.GroupFilter, "groupFilter"),
                LdapFilter.Normalize(input.PlacementFilter, "placementFilter"), Blank(input.TrustedCaPem));
            try
            {
                await directory.TestAsync(connection, cancellationToken);
            }
            catch (MailAdminException e) when (e.Kind is not ErrorKind.Invalid)
            {
                // Saving is a request that cannot succeed as given: answer 400 with the reason.
                throw MailAdminException.Invalid(e.Code, e.Message);
            }

            var settings = domain.Directory ??= new DirectorySettings
            {
                Host = connection.Host,
                BindDn = connection.BindDn,
                BaseDn = connection.BaseDn,
                ProtectedBindPassword = string.Empty,
            };
            settings.Host = connection.Host;
            settings.Port = connection.Port;
            settings.Security = connection.Security;
            settings.BindDn = connection.BindDn;
            settings.ProtectedBindPassword = protector.Protect(password);
            settings.BaseDn = connection.BaseDn;
            settings.Profile = connection.Profile;
            settings.UserFilter = connection.UserFilter;
            settings.GroupFilter = connection.GroupFilter;
            settings.PlacementFilter = connection.PlacementFilter;
            settings.TrustedCaPem = connection.TrustedCaPem;
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The connection to a domain's directory with its password decrypted, for one operation.</summary>
    internal DirectoryConnection ConnectionOf(DirectorySettings settings) =>
        new(settings.Host, settings.Port, settings.Security, settings.BindDn,
            protection.CreateProtector(PasswordPurpose).Unprotect(settings.ProtectedBindPassword),
            settings.BaseDn, settings.Profile, settings.UserFilter, settings.GroupFilter, settings.PlacementFilter, settings.TrustedCaPem);

    /// <summary>A bind password encrypted for storage with this node's keys.</summary>
    internal string ProtectPassword(string password) => protection.CreateProtector(PasswordPurpose).Protect(password);

    internal static async Task<MailDomain> FindAsync(NodeDbContext db, string ascii, CancellationToken cancellationToken) =>
        await db.Domains.Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == ascii, cancellationToken)
        ?? throw MailAdminException.NotFound("domain-not-found", $"There is no domain {DomainNames.ToUnicode(ascii)} on this server.");

    private static void Validate(DirectoryInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Host) || Uri.CheckHostName(input.Host.Trim()) == UriHostNameType.Unknown)
        {
            throw MailAdminException.Invalid("invalid-directory-host", "Give the directory server's host name or IP address.");
        }

        if (input.Port is < 1 or > 65535)
        {
            throw MailAdminException.Invalid("invalid-directory-port", "The directory port is a number from 1 to 65535 (389 for LDAP and StartTLS, 636 for LDAPS).");
        }

        if (string.IsNullOrWhiteSpace(input.BaseDn))
        {
            throw MailAdminException.Invalid("invalid-base-dn", "Give the base DN under which users and groups are searched, like dc=company,dc=com.");
        }

        if (string.IsNullOrWhiteSpace(input.BindDn))
        {
            throw MailAdminException.Invalid("invalid-bind-dn", "Give the DN to bind as, like cn=mailadmin,dc=company,dc=com.");
        }

        if (Blank(input.TrustedCaPem) is { } pem)
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw MailAdminException.Invalid("invalid-ca-certificate", "The trusted CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----).");
            }
        }
    }

    private static bool SameDn(string a, string b) => GroupMembership.DnKey(a) == GroupMembership.DnKey(b.Trim());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Rewrite(string address, string oldDomain, string newDomain) =>
        MailAddresses.TryParse(address, out var parsed) && parsed.Domain == oldDomain ? $"{parsed.LocalPart}@{newDomain}" : address;

    private static MailAdminException Exists(string ascii) =>
        MailAdminException.Conflict("domain-exists", $"The domain {DomainNames.ToUnicode(ascii)} exists already on this server.");

    private static DomainInfo ToInfo(MailDomain domain, int users) =>
        new(domain.Name, DomainNames.ToUnicode(domain.Name), domain.IsDistributed,
            domain.Directory is { } d ? DirectoryInfo.From(d) : null, users, domain.Description);
}
