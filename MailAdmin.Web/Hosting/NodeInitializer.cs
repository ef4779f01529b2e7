using MailAdmin.Core.Accounts;
using MailAdmin.Core.Storage;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Prepares the node before it listens: applies schema migrations and makes
/// the first administrator. Hosted services start before Kestrel, so no
/// request ever meets an old schema.
/// </summary>
internal sealed class NodeInitializer(NodeDatabase database, AdministratorService administrators, AdminOptions adminOptions) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await administrators.EnsureInitialAdminAsync(adminOptions, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
