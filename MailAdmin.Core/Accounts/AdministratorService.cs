using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// Local administrator accounts, sign-in and the administrator list.
/// Sign-in checks the client's lockout first, so a locked-out client learns
/// nothing, not even whether its password was right.
/// </summary>
public sealed partial class AdministratorService(
    IDbContextFactory<NodeDbContext> databases,
    AuditLog audit,
    LoginThrottle throttle,
    DirectoryAdministrators directoryAdministrators,
    TimeProvider clock,
    ILogger<AdministratorService> logger)
{
    public const string InitialAdminName = "admin";

    /// <summary>
    /// Creates <c>admin</c> (whole server read/write) on a node's first start,
    /// with the configured password or a random one written once to the log.
    /// Later starts change nothing.
    /// </summary>
    public async Task EnsureInitialAdminAsync(AdminOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.LocalAccounts.AnyAsync(cancellationToken))
        {
            if (options.InitialPassword is not null)
            {
                LogInitialPasswordIgnored(logger);
            }

            return;
        }

        var password = options.InitialPassword ?? GeneratePassword();
        var now = clock.GetUtcNow();
        db.LocalAccounts.Add(new LocalAccount
        {
            Name = InitialAdminName,
            PasswordHash = PasswordHasher.Hash(password),
            SecurityStamp = NewStamp(),
            CreatedAt = now,
            PasswordChangedAt = now,
        });
        db.AdminGrants.Add(new AdminGrant { Principal = AdminPrincipal.LocalId(InitialAdminName), Role = AdminRole.ServerReadWrite });
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync("system", "local", "admins.create-local", AdminPrincipal.LocalId(InitialAdminName), AuditLog.Success, cancellationToken);
        if (options.InitialPassword is null)
        {
            LogGeneratedPassword(logger, InitialAdminName, password);
        }
        else
        {
            LogInitialAdminCreated(logger, InitialAdminName);
        }
    }

    /// <summary>Checks a sign-in; throws <c>locked-out</c> or <c>invalid-credentials</c>.</summary>
    public async Task<SignedIn> SignInAsync(string? username, string? password, string clientAddress, CancellationToken cancellationToken)
    {
        var name = (username ?? string.Empty).Trim().ToLowerInvariant();
        var isDirectory = name.Contains('@', StringComparison.Ordinal);
        var target = name.Length == 0 ? "(empty)" : isDirectory ? $"user:{Shorten(name)}" : AdminPrincipal.LocalId(Shorten(name));
        if (throttle.LockedFor(clientAddress) is { } wait)
        {
            LogLockedOutRefused(logger, clientAddress);
            await audit.RecordAsync(target, clientAddress, "session.login", target, "locked-out", cancellationToken);
            throw LockedOut(wait);
        }

        SignedIn? account;
        try
        {
            account = isDirectory
                ? await directoryAdministrators.SignInAsync(name, password ?? string.Empty, cancellationToken)
                : await FindSignInAsync(name, password ?? string.Empty, cancellationToken);
        }
        catch (MailAdminException e) when (e.Kind == ErrorKind.Unavailable)
        {
            await audit.RecordAsync(target, clientAddress, "session.login", target, e.Code, cancellationToken);
            throw;
        }

        if (account is null)
        {
            var nowLocked = throttle.RecordFailure(clientAddress);
            await audit.RecordAsync(target, clientAddress, "session.login", target, "invalid-credentials", cancellationToken);
            if (nowLocked)
            {
                LogLockedOut(logger, clientAddress, LoginThrottle.MaxFailures);
            }

            throw new MailAdminException(ErrorKind.Unauthenticated, "invalid-credentials", "The user name or password is wrong.");
        }

        throttle.RecordSuccess(clientAddress);
        await audit.RecordAsync(account.Principal.Id, clientAddress, "session.login", account.Principal.Id, AuditLog.Success, cancellationToken);
        return account;
    }

    /// <summary>The principal behind a session, or null when its account, role or password has changed since.</summary>
    public async Task<AdminPrincipal?> ValidateSessionAsync(string principalId, string securityStamp, CancellationToken cancellationToken)
    {
        if (!principalId.StartsWith(AdminPrincipal.LocalPrefix, StringComparison.Ordinal))
        {
            return await directoryAdministrators.ValidateSessionAsync(principalId, securityStamp, cancellationToken);
        }

        var name = principalId[AdminPrincipal.LocalPrefix.Length..];
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var account = await db.LocalAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancellationToken);
        if (account is null || !CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(account.SecurityStamp), System.Text.Encoding.UTF8.GetBytes(securityStamp)))
        {
            return null;
        }

        var grant = await db.AdminGrants.AsNoTracking().SingleOrDefaultAsync(g => g.Principal == principalId, cancellationToken);
        return grant is null ? null : new AdminPrincipal(principalId, name, grant.Role, grant.Domain);
    }

    /// <summary>Changes the signed-in administrator's own password; returns the new session stamp.</summary>
    public Task<string> ChangeOwnPasswordAsync(Actor actor, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "account.change-password", actor.Name, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ChangeOwnPassword);
            if (!actor.Principal.IsLocal)
            {
                throw MailAdminException.Invalid("directory-account", "Your password is kept by the directory service: change it there.");
            }

            if (PasswordRules.Check(newPassword) is { } problem)
            {
                throw MailAdminException.Invalid("weak-password", "The new password is not acceptable: " + problem);
            }

            var name = actor.Principal.Id[AdminPrincipal.LocalPrefix.Length..];
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var account = await db.LocalAccounts.SingleOrDefaultAsync(a => a.Name == name, cancellationToken)
                ?? throw MailAdminException.NotFound("account-not-found", "Your account no longer exists.");
            if (!PasswordHasher.Verify(currentPassword, account.PasswordHash))
            {
                throw MailAdminException.Invalid("wrong-current-password", "The current password is wrong. Type it again.");
            }

            account.PasswordHash = PasswordHasher.Hash(newPassword);
            account.SecurityStamp = NewStamp();
            account.PasswordChangedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return account.SecurityStamp;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AdminGrantInfo>> ListAdminsAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewAdministrators);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var grants = await db.AdminGrants.AsNoTracking().OrderBy(g => g.Principal).ToListAsync(cancellationToken);
        return [.. grants.Select(g => new AdminGrantInfo(g.Principal, g.Role, g.Domain))];
    }

    /// <summary>
    /// Replaces the whole administrator list. A local account left out of the
    /// list can no longer sign in. The list must keep one local whole-server
    /// read/write administrator, so the node stays manageable when the
    /// directory service is down (manual, chapter 8).
    /// </summary>
    public Task ReplaceAdminsAsync(Actor actor, IReadOnlyList<AdminGrantInfo> grants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(grants);
        return audit.RunAsync(actor, "admins.replace", $"{grants.Count} administrators", async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageAdministrators);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var grant in grants)
            {
                ValidateGrant(grant);
                if (!seen.Add(grant.Principal))
                {
                    throw MailAdminException.Invalid("duplicate-principal", $"{grant.Principal} is listed twice; list each administrator once.");
                }
            }

            if (!grants.Any(g => g.Role == AdminRole.ServerReadWrite && g.Principal.StartsWith(AdminPrincipal.LocalPrefix, StringComparison.Ordinal)))
            {
                throw MailAdminException.Conflict("last-local-admin", "Keep at least one local administrator with whole server read/write rights, so the server stays manageable when the directory service is down.");
            }

            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var localNames = await db.LocalAccounts.Select(a => a.Name).ToListAsync(cancellationToken);
            var unknown = grants.Select(g => g.Principal)
                .Where(p => p.StartsWith(AdminPrincipal.LocalPrefix, StringComparison.Ordinal))
                .FirstOrDefault(p => !localNames.Contains(p[AdminPrincipal.LocalPrefix.Length..]));
            if (unknown is not null)
            {
                throw MailAdminException.Invalid("unknown-local-account", $"There is no local account {unknown}; create it first with POST /api/v1/admins/local.");
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.AdminGrants.RemoveRange(db.AdminGrants);
            db.AdminGrants.AddRange(grants.Select(g => new AdminGrant { Principal = g.Principal, Role = g.Role, Domain = g.Domain?.ToLowerInvariant() }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Gives a directory user or group a role (or changes the role it has), under the rules of a replacement.</summary>
    public async Task GrantAsync(Actor actor, AdminGrantInfo grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(grant);
        var current = await ListAdminsAsync(actor.Principal, cancellationToken);
        var normalized = grant with { Principal = (grant.Principal ?? string.Empty).Trim().ToLowerInvariant(), Domain = grant.Domain?.Trim().ToLowerInvariant() };
        await ReplaceAdminsAsync(actor, [.. current.Where(g => g.Principal != normalized.Principal), normalized], cancellationToken);
    }

    /// <summary>Takes one principal off the administrator list, under the same rules as a replacement.</summary>
    public async Task RevokeAsync(Actor actor, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var current = await ListAdminsAsync(actor.Principal, cancellationToken);
        if (!current.Any(g => g.Principal == principal))
        {
            throw MailAdminException.NotFound("not-an-administrator", $"{principal} is not on the administrator list.");
        }

        await ReplaceAdminsAsync(actor, [.. current.Where(g => g.Principal != principal)], cancellationToken);
    }

    /// <summary>Creates a local administrator account with a role.</summary>
    public Task<AdminGrantInfo> CreateLocalAdminAsync(Actor actor, string name, string password, AdminRole role, string? domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var normalized = (name ?? string.Empty).Trim().ToLowerInvariant();
        return audit.RunAsync(actor, "admins.create-local", AdminPrincipal.LocalId(Shorten(normalized)), async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageAdministrators);
            if (!LocalName().IsMatch(normalized))
            {
                throw MailAdminException.Invalid("invalid-name", "A local administrator name has 1 to 64 characters: letters a-z, digits, '.', '_' or '-', starting with a letter or digit.");
            }

            if (PasswordRules.Check(password ?? string.Empty) is { } problem)
            {
                throw MailAdminException.Invalid("weak-password", "The password is not acceptable: " + problem);
            }

            var grant = new AdminGrantInfo(AdminPrincipal.LocalId(normalized), role, domain?.Trim().ToLowerInvariant());
            ValidateGrant(grant);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            if (await db.LocalAccounts.AnyAsync(a => a.Name == normalized, cancellationToken))
            {
                throw MailAdminException.Conflict("account-exists", $"A local account named {normalized} exists already; choose another name.");
            }

            var now = clock.GetUtcNow();
            db.LocalAccounts.Add(new LocalAccount
            {
                Name = normalized,
                PasswordHash = PasswordHasher.Hash(password!),
                SecurityStamp = NewStamp(),
                CreatedAt = now,
                PasswordChangedAt = now,
            });
            db.AdminGrants.Add(new AdminGrant { Principal = grant.Principal, Role = grant.Role, Domain = grant.Domain });
            await db.SaveChangesAsync(cancellationToken);
            return grant;
        }, cancellationToken);
    }

    private async Task<SignedIn?> FindSignInAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var account = name.Length is > 0 and <= 64
            ? await db.LocalAccounts.SingleOrDefaultAsync(a => a.Name == name, cancellationToken)
            : null;
        if (account is null || password.Length > PasswordRules.MaxLength)
        {
            PasswordHasher.VerifyDecoy(password.Length > PasswordRules.MaxLength ? password[..PasswordRules.MaxLength] : password);
            return null;
        }

        if (!PasswordHasher.Verify(password, account.PasswordHash))
        {
            return null;
        }

        var principalId = AdminPrincipal.LocalId(account.Name);
        var grant = await db.AdminGrants.AsNoTracking().SingleOrDefaultAsync(g => g.Principal == principalId, cancellationToken);
        if (grant is null)
        {
            // An account without a role is no administrator: refuse it like a wrong password.
            return null;
        }

        if (PasswordHasher.NeedsRehash(account.PasswordHash))
        {
            account.PasswordHash = PasswordHasher.Hash(password);
            await db.SaveChangesAsync(cancellationToken);
        }

        return new SignedIn(new AdminPrincipal(principalId, account.Name, grant.Role, grant.Domain), account.SecurityStamp);
    }

    private static void ValidateGrant(AdminGrantInfo grant)
    {
        var principal = grant.Principal ?? string.Empty;
        var valid = (principal.StartsWith(AdminPrincipal.LocalPrefix, StringComparison.Ordinal) && LocalName().IsMatch(principal[AdminPrincipal.LocalPrefix.Length..]))
            || ((principal.StartsWith("user:", StringComparison.Ordinal) || principal.StartsWith("group:", StringComparison.Ordinal))
                && Address().IsMatch(principal[(principal.IndexOf(':', StringComparison.Ordinal) + 1)..]));
        if (!valid)
        {
            throw MailAdminException.Invalid("invalid-principal", $"'{Shorten(principal)}' is not a principal: write local:<name>, user:<address> or group:<address>.");
        }

        if (grant.Role == AdminRole.DomainAdmin && string.IsNullOrWhiteSpace(grant.Domain))
        {
            throw MailAdminException.Invalid("domain-required", $"{principal} is a domain administrator: say of which domain.");
        }

        if (grant.Role != AdminRole.DomainAdmin && grant.Domain is not null)
        {
            throw MailAdminException.Invalid("domain-not-allowed", $"{principal} administers the whole server: leave the domain out.");
        }
    }

    private static MailAdminException LockedOut(TimeSpan wait)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
        return new MailAdminException(ErrorKind.TooManyRequests, "locked-out",
            $"Too many failed sign-ins from your address. Try again in {minutes} minute{(minutes == 1 ? string.Empty : "s")}.")
        {
            RetryAfter = wait,
        };
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalName();

    [GeneratedRegex(@"^[^@\s:]{1,64}@[A-Za-z0-9.-]{1,253}$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Created the local administrator '{Name}' with the random password {Password} . Sign in and change it; it is not shown again.")]
    private static partial void LogGeneratedPassword(ILogger logger, string name, string password);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Created the local administrator '{Name}' with the password from Admin:InitialPassword.")]
    private static partial void LogInitialAdminCreated(ILogger logger, string name);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Admin:InitialPassword is ignored: this node's administrators exist already.")]
    private static partial void LogInitialPasswordIgnored(ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Client {Client} is locked out for 5 minutes after {Failures} failed sign-ins.")]
    private static partial void LogLockedOut(ILogger logger, string client, int failures);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Refused a sign-in from locked-out client {Client}.")]
    private static partial void LogLockedOutRefused(ILogger logger, string client);
}

/// <summary>A successful sign-in: who, and the stamp the session must keep matching.</summary>
public sealed record SignedIn(AdminPrincipal Principal, string SecurityStamp);
