using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Web.Hosting;

/// <summary>Runs the periodic directory sync (<c>Directory:SyncIntervalMinutes</c>, default 15).</summary>
internal sealed class DirectorySyncWorker(DirectorySyncService sync, DirectoryOptions options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.SyncInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await sync.SyncAllAsync(stoppingToken);
        }
    }
}
