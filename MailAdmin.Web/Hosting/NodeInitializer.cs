using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Prepares the node before it listens: applies schema migrations, makes the first
/// administrator, loads the node's standing in its distributed domain and the mailboxes a
/// migration holds. Hosted services start in the order they were added and before Kestrel,
/// and this one is added first: no request ever meets an old schema, and neither the SMTP
/// listeners, the delivery agent nor a peer meets a node that does not know its role yet (it
/// would deliver mail homed on other nodes here, or refuse its peers) or forgot a hold (it
/// would write into a mailbox being switched). If any of this fails the node does not start.
/// </summary>
internal sealed class NodeInitializer(
    NodeDatabase database, AdministratorService administrators, AdminOptions adminOptions, MembershipService membership, MailboxHolds holds) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await administrators.EnsureInitialAdminAsync(adminOptions, cancellationToken);
        await membership.LoadAsync(cancellationToken);
        await holds.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
