using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.MailboxMigration;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// Whether <i>Migrate Here</i> and <i>Cancel migration</i> can act on the selected users (manual
/// §10.2: "migratable accounts have the Migrate Here button active"), and if not, why. These are
/// the checks <see cref="MigrationService"/> makes when it starts or cancels a job, made early so a
/// button is only enabled when the request would be accepted; Core stays the authority and checks
/// again.
/// </summary>
public static class MigrationChoices
{
    /// <summary>Null when every user can move to <paramref name="thisServer"/>; otherwise what stops the first that cannot.</summary>
    /// <param name="freeSeats">Seats of this server's licence free for mailboxes moving here; null when unlimited (manual, chapter 3).</param>
    public static string? WhyNotMigrate(AdminPrincipal admin, string thisServer, IReadOnlyCollection<UserInfo> users, Func<string, MigrationInfo?> activeFor, int? freeSeats = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(activeFor);
        if (users.Count == 0)
        {
            return "Select the users whose mailboxes should move to this server.";
        }

        var reason = users.Select(u => WhyNotMigrate(admin, thisServer, u, activeFor(u.Address))).FirstOrDefault(reason => reason is not null);
        if (reason is null && freeSeats is { } free && users.Count > free)
        {
            return free == 0
                ? "This server's licence is full: no mailbox can move here. Add seats (see the Licence page) first."
                : $"This server's licence has {(free == 1 ? "1 free seat" : $"{free} free seats")} for the {users.Count} users selected: select fewer users, or add seats first.";
        }

        return reason;
    }

    /// <summary>Null when <paramref name="user"/> can move to <paramref name="thisServer"/>; otherwise why not.</summary>
    public static string? WhyNotMigrate(AdminPrincipal admin, string thisServer, UserInfo user, MigrationInfo? active)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(user);
        if (!AccessPolicy.Allows(admin, Permission.ManageUsers, DomainOf(user)))
        {
            return $"You may not migrate {user.DisplayAddress}: your role does not cover its domain.";
        }

        if (user.Source != UserSource.Directory)
        {
            return $"{user.DisplayAddress} is a local user: local users stay on their server.";
        }

        if (string.Equals(user.HomeServer, thisServer, StringComparison.OrdinalIgnoreCase))
        {
            return $"{user.DisplayAddress} already lives on this server.";
        }

        return active is null ? null : $"{user.DisplayAddress} is already being migrated to {active.Target}.";
    }

    /// <summary>Null when the migration of every user can still be canceled; otherwise why not.</summary>
    public static string? WhyNotCancel(AdminPrincipal admin, IReadOnlyCollection<UserInfo> users, Func<string, MigrationInfo?> activeFor)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(activeFor);
        if (users.Count == 0)
        {
            return "Select the users whose migration should stop.";
        }

        foreach (var user in users)
        {
            if (!AccessPolicy.Allows(admin, Permission.ManageUsers, DomainOf(user)))
            {
                return $"You may not cancel the migration of {user.DisplayAddress}: your role does not cover its domain.";
            }

            if (activeFor(user.Address) is not { } active)
            {
                return $"{user.DisplayAddress} is not being migrated.";
            }

            if (!active.IsCancelable)
            {
                return $"{user.DisplayAddress} is {active.State}: the move can no longer be canceled and finishes in seconds.";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="admin"/> may cancel <paramref name="job"/> (the Migration page's per-job button).</summary>
    public static bool CanCancel(AdminPrincipal admin, MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(job);
        return job.IsCancelable && AccessPolicy.Allows(admin, Permission.ManageUsers, DomainOf(job.User));
    }

    /// <summary>Whether <paramref name="admin"/> may see how <paramref name="job"/> went: the users of its domain are theirs to view.</summary>
    public static bool CanView(AdminPrincipal admin, MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(job);
        return AccessPolicy.Allows(admin, Permission.ViewUsers, DomainOf(job.User));
    }

    private static string DomainOf(UserInfo user) => DomainOf(user.Address);

    private static string DomainOf(string address) => MailAddresses.Parse(address).Domain;
}
