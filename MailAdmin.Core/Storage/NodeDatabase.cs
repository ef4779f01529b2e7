using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Storage;

/// <summary>Brings the node database to the current schema at start.</summary>
public sealed class NodeDatabase(IDbContextFactory<NodeDbContext> databases)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // WAL lets the console read while a write is in progress. The mode is
        // stored in the file; the bundled SQLite's default synchronous=FULL
        // then syncs the log at every commit, so a committed change survives a power cut.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}
