using System.Globalization;
using System.Text;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>
/// The report an administrator gets after each mailbox (manual §10.2): result, time and size,
/// by mail to the administrator's own mailbox when they have one. (The console shows the same
/// as a notification, from <see cref="MigrationService.Finished"/>.)
/// </summary>
public sealed partial class MigrationReports(MailQueue queue, NodeOptions node, SmtpOptions smtp, TimeProvider clock, ILogger<MigrationReports> logger)
{
    public async Task SendAsync(MigrationJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.ReportTo is not { } to)
        {
            return;
        }

        var domain = to[(to.LastIndexOf('@') + 1)..];
        var from = $"postmaster@{domain}";
        var text = Text(job);
        var subject = $"Migration of {job.Address} to {job.Target}: {job.Result}";
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"From: MailAdmin on {node.Name} <{from}>\r\n")
            .Append(CultureInfo.InvariantCulture, $"To: <{to}>\r\n")
            .Append(CultureInfo.InvariantCulture, $"Subject: {subject}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {clock.GetUtcNow():ddd, dd MMM yyyy HH:mm:ss} +0000\r\n")
            .Append(CultureInfo.InvariantCulture, $"Message-ID: <migration-{job.Id}@{smtp.HostName}>\r\n")
            .Append("Auto-Submitted: auto-generated\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: 8bit\r\n\r\n")
            .Append(text.Replace("\n", "\r\n", StringComparison.Ordinal))
            .ToString();
        try
        {
            await queue.EnqueueAsync(from, [to], MessageKind.Mail, async stream => await stream.WriteAsync(Encoding.UTF8.GetBytes(message), cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            LogReportFailed(logger, e, job.Id, to);
        }
    }

    /// <summary>The report's body: what the manual lists, and where it went wrong.</summary>
    public static string Text(MigrationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var duration = job.StartedAt is { } start && job.FinishedAt is { } end ? end - start : TimeSpan.Zero;
        var builder = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Migration of {job.Address} from {job.Source} to {job.Target}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Result:   {job.Result}\n")
            .Append(CultureInfo.InvariantCulture, $"Time:     {duration:hh\\:mm\\:ss} (started {job.StartedAt ?? job.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC)\n")
            .Append(CultureInfo.InvariantCulture, $"Size:     {job.BytesTotal:N0} bytes in {job.MessagesTotal:N0} messages\n");
        if (job.LockoutMilliseconds is { } lockout)
        {
            builder.Append(CultureInfo.InvariantCulture, $"Lock-out: {lockout:N0} ms (the user could not sign in and mail waited)\n");
        }

        if (job.Error is { } error)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\nError: {error}\n");
        }

        if (job.Result != MigrationResults.Completed)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\nThe mailbox stays on {job.Source}, unchanged.\n");
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "The report of migration {JobId} could not be queued for {To}.")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string jobId, string to);
}
