using System.Globalization;
using MailAdmin.Core.Errors;
using MailAdmin.Core.MailboxMigration;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>How the console words and colours a mailbox migration, on every page that shows one.</summary>
public static class MigrationText
{
    /// <summary>The phase and where the mailbox goes: "copying → hq".</summary>
    public static string Phase(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"{job.State} → {job.Target}";
    }

    /// <summary>0 to 100, for a progress bar.</summary>
    public static double Percent(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Math.Clamp(job.Progress * 100, 0, 100);
    }

    /// <summary>How far the copy is: "12.3 MB of 40 MB, 1,200 of 3,000 messages".</summary>
    public static string Copied(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.BytesTotal == 0 && job.Messages == 0)
        {
            return job.State is MigrationStates.Queued ? "Waiting for its turn" : "Size not known yet";
        }

        return Invariant($"{Size(job.BytesCopied)} of {Size(job.BytesTotal)}, {job.MessagesCopied:N0} of {job.Messages:N0} messages");
    }

    /// <summary>The mailbox's size: "40 MB, 3,000 messages".</summary>
    public static string MailboxSize(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Invariant($"{Size(job.BytesTotal)}, {job.Messages:N0} messages");
    }

    /// <summary>1024-based, one decimal: "12.3 MB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => Invariant($"{bytes} B"),
        < 1024 * 1024 => Invariant($"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => Invariant($"{bytes / 1024.0 / 1024.0:0.#} MB"),
        _ => Invariant($"{bytes / 1024.0 / 1024.0 / 1024.0:0.#} GB"),
    };

    /// <summary>"00:01:12"; hours go past 24 rather than wrap.</summary>
    public static string Duration(TimeSpan? duration) =>
        duration is { } d ? Invariant($"{(int)d.TotalHours:00}:{d.Minutes:00}:{d.Seconds:00}") : "—";

    /// <summary>"850 ms", or a dash while the lock-out is not known.</summary>
    public static string Lockout(long? milliseconds) => milliseconds is { } ms ? Invariant($"{ms:N0} ms") : "—";

    /// <summary>
    /// The report the manual promises after each mailbox (§10.2: result, time, size):
    /// "Migration of bob@company.com: Completed successfully — 40 MB, 1,200 messages in 00:01:12".
    /// </summary>
    public static string Report(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var text = $"Migration of {job.User}: {job.Result ?? job.State} — {MailboxSize(job)} in {Duration(job.Duration)}";
        if (job.Result == MigrationResults.Completed)
        {
            return text;
        }

        var error = string.IsNullOrWhiteSpace(job.Error) ? string.Empty : $" {job.Error.TrimEnd('.')}.";
        return $"{text}.{error} The mailbox stays on {job.Source}, unchanged.";
    }

    public static Severity ReportSeverity(MigrationInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Result switch
        {
            MigrationResults.Completed => Severity.Success,
            MigrationResults.Canceled => Severity.Warning,
            _ => Severity.Error,
        };
    }

    /// <summary>The phase chip's colour: grey while waiting, blue while copying, amber while the user is locked out or the switch settles, then the result's.</summary>
    public static Color StateColor(string state) => state switch
    {
        MigrationStates.Checking or MigrationStates.Copying or MigrationStates.Verifying => Color.Info,
        MigrationStates.Switching or MigrationStates.Releasing or MigrationStates.Cleaning => Color.Warning,
        MigrationStates.Completed => Color.Success,
        MigrationStates.Failed => Color.Error,
        _ => Color.Default,
    };

    /// <summary>Each user a <i>Migrate Here</i> refused, with why; a refusal without the list is one line of its message.</summary>
    public static IReadOnlyList<MigrationRefusal> Refusals(MailAdminException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (refusal.Details?.GetValueOrDefault("refusals") is not IEnumerable<object> items)
        {
            return [new MigrationRefusal(string.Empty, refusal.Code, refusal.Message)];
        }

        return
        [
            .. items.OfType<IReadOnlyDictionary<string, object?>>().Select(item => new MigrationRefusal(
                item.GetValueOrDefault("user") as string ?? string.Empty,
                item.GetValueOrDefault("code") as string ?? refusal.Code,
                item.GetValueOrDefault("message") as string ?? string.Empty)),
        ];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
