using System.Collections.Concurrent;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Storage;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>
/// Runs the migrations whose target is this node, <see cref="MigrationOptions.Parallel"/> at a
/// time (one by default, as the manual moves mailboxes one by one), oldest first. A job's row
/// is its memory: after a restart each unfinished job resumes from its phase, or, when it
/// stopped in the middle of switching, rolls back to copying and switches again.
/// </summary>
public sealed partial class MigrationRunner(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    MigrationOptions options,
    MigrationService service,
    MailboxHolds holds,
    MaildirStore maildir,
    IPeerChannels channels,
    IClusterTopology topology,
    Replication replication,
    MigrationReports reports,
    AuditLog audit,
    FolderRemovals removals,
    Licensing.LicenceService licence,
    Scheduling.CalendarBook calendars,
    TimeProvider clock,
    ILogger<MigrationRunner> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);

    // What a job's run uses (a nested class cannot see the primary constructor's parameters).
    private IDbContextFactory<NodeDbContext> Databases => databases;
    private NodeOptions Node => node;
    private MigrationOptions Options => options;
    private MigrationService Service => service;
    private MailboxHolds Holds => holds;
    private MaildirStore Maildir => maildir;
    private IPeerChannels Channels => channels;
    private IClusterTopology Topology => topology;
    private Replication Replication => replication;
    private MigrationReports Reports => reports;
    private AuditLog Audit => audit;
    private Licensing.LicenceService Licence => licence;
    private Scheduling.CalendarBook Calendars => calendars;
    private TimeProvider Clock => clock;
    private ILogger Logger => logger;

    /// <summary>Where a job keeps its copy until it is switched into place.</summary>
    internal string WorkFolder(string jobId) => Path.Combine(node.DataDir, "migrations", MaildirStore.SafeSegment(jobId));

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        service.Requested += OnRequested;

        // Copies the source side set aside for deletion when the node stopped before it finished.
        var migrations = Path.Combine(node.DataDir, "migrations");
        if (Directory.Exists(migrations))
        {
            foreach (var removed in Directory.EnumerateDirectories(migrations, "removed-*"))
            {
                removals.Remove(removed);
            }
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ScheduleAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSchedulingFailed(logger, e);
                }

                try
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            service.Requested -= OnRequested;
            foreach (var running in _running.Values)
            {
                await running.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await removals.DrainAsync();
        }
    }

    private void OnRequested(object? sender, EventArgs e) => _wake.Release();

    private async Task ScheduleAsync(CancellationToken stoppingToken)
    {
        List<MigrationJob> jobs;
        await using (var db = await databases.CreateDbContextAsync(stoppingToken))
        {
            jobs = await db.MigrationJobs.AsNoTracking()
                .Where(j => j.State != MigrationStates.Completed && j.State != MigrationStates.Canceled && j.State != MigrationStates.Failed)
                .OrderBy(j => j.CreatedAt).ToListAsync(stoppingToken);
        }

        foreach (var job in jobs)
        {
            if (_running.TryGetValue(job.Id, out var running))
            {
                if (job.CancelRequested && MigrationStates.IsCancelable(job.State))
                {
                    await running.Cancel.CancelAsync();
                }

                continue;
            }

            // Committed jobs only finish what is decided, and a cancel only cleans up: neither waits for a slot.
            var light = MigrationStates.IsCommitted(job.State) || job.CancelRequested;
            if (!light && _running.Values.Count(r => !r.Light) >= options.Parallel)
            {
                service.Publish(MigrationInfo.Of(job));
                continue;
            }

            var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var start = new TaskCompletionSource();
            var task = RunAsync(job, start.Task, cancel, stoppingToken);
            _running[job.Id] = new Running(task, cancel, light);
            start.SetResult();
        }
    }

    private async Task RunAsync(MigrationJob job, Task gate, CancellationTokenSource cancel, CancellationToken stoppingToken)
    {
        await gate;
        try
        {
            await new JobRun(this, job, cancel.Token, stoppingToken).RunAsync();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node stops: the job resumes from its row at the next start.
        }
        catch (Exception e)
        {
            LogJobCrashed(logger, e, job.Id, job.Address);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            cancel.Dispose();
            try
            {
                _wake.Release();
            }
            catch (ObjectDisposedException)
            {
                // Stopping.
            }
        }
    }

    private sealed record Running(Task Task, CancellationTokenSource Cancel, bool Light);

    /// <summary>A failure that ends the job (rolled back): the message is what the administrator reads.</summary>
    /// <param name="SourceUnreachable">The source did not answer: while switching this rolls back and copies again rather than failing.</param>
    internal sealed class MigrationFailedException(string message, bool sourceUnreachable = false) : Exception(message)
    {
        public bool SourceUnreachable { get; } = sourceUnreachable;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "Scheduling migrations failed.")]
    private static partial void LogSchedulingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Migration {JobId} of {Address} stopped unexpectedly; it resumes at the next start.")]
    private static partial void LogJobCrashed(ILogger logger, Exception exception, string jobId, string address);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Migration {JobId} of {Address} from {Source}: {State}.")]
    private static partial void LogPhase(ILogger logger, string jobId, string address, string source, string state);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Migration {JobId} of {Address} failed and was rolled back: {Error}")]
    private static partial void LogFailed(ILogger logger, string jobId, string address, string error);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Migration {JobId} of {Address} switched: the user was locked out for {Milliseconds} ms; home epoch {Epoch}.")]
    private static partial void LogSwitched(ILogger logger, string jobId, string address, long milliseconds, long epoch);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "Migration {JobId} of {Address} stopped while switching; rolled back to copying and switches again.")]
    private static partial void LogSwitchRolledBack(ILogger logger, string jobId, string address);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "Migration {JobId}: {Source} cannot be reached ({Error}); waiting.")]
    private static partial void LogWaiting(ILogger logger, string jobId, string source, string error);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Warning, Message = "Migration {JobId}: {Count} copied files did not match their hash and are copied again.")]
    private static partial void LogVerifyMismatch(ILogger logger, string jobId, int count);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Warning, Message = "Migration {JobId}: a copy of {Address} was already on this server (left by an earlier move); it was set aside in {Folder}.")]
    private static partial void LogPreviousCopy(ILogger logger, string jobId, string address, string folder);

    [LoggerMessage(EventId = 7121, Level = LogLevel.Warning, Message = "Migration {JobId}: {Source} has no calendar service (an older version); the user's free/busy starts empty here.")]
    private static partial void LogNoCalendarService(ILogger logger, string jobId, string source);
}
