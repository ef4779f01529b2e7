using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Mail.Routing;

/// <summary>
/// Checks submission credentials: a local user against its stored hash, a directory user by
/// binding to its directory as that user (its password is never stored). The user name is the
/// mail address (primary or alias). Failures count toward the same per-address lockout as
/// console sign-ins. A signed-in user may send as any of its own addresses. While a migration
/// switches the user's mailbox, sign-ins are refused with a temporary reply that says so. A user
/// whose mailbox is beyond the node's licensed seats (manual, chapter 3) is refused with a reply
/// that names the licence; mail to them is still delivered.
/// </summary>
public sealed class SubmissionAuthenticator(
    IDbContextFactory<NodeDbContext> databases,
    IDirectoryClient directory,
    DomainService domains,
    LoginThrottle throttle,
    MailboxHolds holds,
    LicenceService licence) : ISmtpAuthenticator
{
    public async ValueTask<SmtpAuthResult> AuthenticateAsync(string userName, string password, SmtpClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var clientKey = "smtp:" + client.Address;
        if (throttle.LockedFor(clientKey) is { } wait)
        {
            return SmtpAuthResult.Refused(new SmtpReply(454, "4.7.0", $"Too many failed sign-ins from your address; try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minutes."));
        }

        var result = await CheckAsync(userName, password, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            throttle.RecordSuccess(clientKey);
        }
        else if (result.Refusal is null)
        {
            throttle.RecordFailure(clientKey);
        }

        return result;
    }

    private async Task<SmtpAuthResult> CheckAsync(string userName, string password, CancellationToken cancellationToken)
    {
        if (!MailAddresses.TryParse(userName, out var parsed) || password.Length is 0 or > PasswordRules.MaxLength)
        {
            PasswordHasher.VerifyDecoy(password.Length > PasswordRules.MaxLength ? string.Empty : password);
            return SmtpAuthResult.WrongCredentials;
        }

        MailUser? user;
        DirectorySettings? settings;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var domain = await db.Domains.AsNoTracking().Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == parsed.Domain, cancellationToken).ConfigureAwait(false);
            settings = domain?.Directory;
            user = domain is null ? null : await db.Users.AsNoTracking().Include(u => u.Aliases)
                .Where(u => u.DomainId == domain.Id && (u.LocalPart == parsed.LocalPart || u.Aliases.Any(a => a.DomainId == domain.Id && a.LocalPart == parsed.LocalPart)))
                .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (user is not null)
            {
                user.Domain = domain!;
            }
        }

        if (user is null || user.MissingFromDirectory)
        {
            PasswordHasher.VerifyDecoy(password);
            return SmtpAuthResult.WrongCredentials;
        }

        if (user.Source == UserSource.Local)
        {
            if (user.PasswordHash is null || !PasswordHasher.Verify(password, user.PasswordHash))
            {
                return SmtpAuthResult.WrongCredentials;
            }
        }
        else
        {
            if (settings is null)
            {
                return SmtpAuthResult.Refused(new SmtpReply(454, "4.7.0", "The directory service of this domain is not configured; directory users cannot sign in now."));
            }

            DirectoryLogin? login;
            try
            {
                login = await directory.AuthenticateAsync(domains.ConnectionOf(settings), $"{user.LocalPart}@{parsed.Domain}", user.Login, password, cancellationToken).ConfigureAwait(false);
            }
            catch (MailAdminException e) when (e.Kind is ErrorKind.Unavailable or ErrorKind.Invalid)
            {
                return SmtpAuthResult.Refused(new SmtpReply(454, "4.7.0", "The directory service cannot be reached, so your password cannot be checked now; try again in a few minutes."));
            }

            if (login is null || login.User.DirectoryId != user.DirectoryId)
            {
                return SmtpAuthResult.WrongCredentials;
            }
        }

        if (!user.Enabled || user.DisabledByAdministrator)
        {
            return SmtpAuthResult.Refused(new SmtpReply(535, "5.7.8", "Your account is disabled; ask your administrator."));
        }

        var domainName = parsed.Domain;
        if (holds.IsHeld($"{user.LocalPart}@{domainName}"))
        {
            return SmtpAuthResult.Refused(new SmtpReply(454, "4.7.0", "Your mailbox is being moved to another server right now; sign in again in a minute. Mail sent to you meanwhile waits and is not lost."));
        }

        if (await licence.IsBeyondLimitAsync($"{user.LocalPart}@{domainName}", cancellationToken).ConfigureAwait(false))
        {
            var seats = licence.Licence.Seats ?? 0;
            return SmtpAuthResult.Refused(new SmtpReply(535, "5.7.0",
                $"This server is licensed for {(seats == 1 ? "1 mailbox" : $"{seats} mailboxes")} and yours is beyond {(seats == 1 ? "it" : "them")}, so you cannot sign in; mail to you is still delivered. Ask your administrator to add seats."));
        }

        var addresses = user.Aliases.Where(a => a.DomainId == user.DomainId).Select(a => $"{a.LocalPart}@{domainName}").Prepend($"{user.LocalPart}@{domainName}");
        return SmtpAuthResult.Success($"{user.LocalPart}@{domainName}", addresses);
    }
}
