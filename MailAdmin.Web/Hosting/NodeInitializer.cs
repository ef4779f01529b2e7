using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Prepares the node before it listens: applies schema migrations and makes
/// the first administrator, and loads the mailbox holds. Hosted services start before Kestrel, so no
/// request ever meets an old schema.
/// </summary>
internal sealed class NodeInitializer(NodeDatabase database, AdministratorService administrators, AdminOptions adminOptions, MailboxHolds holds) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await administrators.EnsureInitialAdminAsync(adminOptions, cancellationToken);

        // Mailboxes a migration was switching when the node stopped stay held until it ends.
        await holds.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
