namespace MailAdmin.Core.MailboxMigration;

/// <summary>The phases of a mailbox migration, as the API names them (<c>state</c>).</summary>
public static class MigrationStates
{
    public const string Queued = "queued";
    public const string Checking = "checking";
    public const string Copying = "copying";
    public const string Verifying = "verifying";
    public const string Switching = "switching";
    public const string Releasing = "releasing";
    public const string Cleaning = "cleaning";
    public const string Completed = "completed";
    public const string Canceled = "canceled";
    public const string Failed = "failed";

    /// <summary>Every state, in the order a job passes them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Queued, Checking, Copying, Verifying, Switching, Releasing, Cleaning, Completed, Canceled, Failed];

    public static bool IsFinished(string state) => state is Completed or Canceled or Failed;

    /// <summary>Before switching a job can still be canceled and leave the source exactly as it was.</summary>
    public static bool IsCancelable(string state) => state is Queued or Checking or Copying or Verifying;

    /// <summary>From releasing on, the new home is committed: the job only goes forward.</summary>
    public static bool IsCommitted(string state) => state is Releasing or Cleaning or Completed;
}

/// <summary>How a finished job ended, in the manual's words (§10.2).</summary>
public static class MigrationResults
{
    public const string Completed = "Completed successfully";
    public const string Error = "Error";
    public const string Canceled = "Canceled";
}

/// <summary>
/// One mailbox moving to this node. The target node runs the job and keeps this row;
/// the row is the job's memory across restarts.
/// </summary>
public sealed class MigrationJob
{
    public required string Id { get; set; }

    /// <summary>The user's primary address, ASCII form.</summary>
    public required string Address { get; set; }

    public required string DirectoryId { get; set; }

    /// <summary>The node the mailbox moves from (its home when the job was made).</summary>
    public required string Source { get; set; }

    /// <summary>This node.</summary>
    public required string Target { get; set; }

    public string State { get; set; } = MigrationStates.Queued;

    /// <summary>Administrator who started it (audit id), and the mailbox the report goes to, if any.</summary>
    public required string StartedBy { get; set; }

    public string? ReportTo { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public long BytesTotal { get; set; }

    public long BytesCopied { get; set; }

    public long MessagesTotal { get; set; }

    public long MessagesCopied { get; set; }

    /// <summary>Copy passes run so far; the first copies everything, the others what changed.</summary>
    public int Passes { get; set; }

    /// <summary>How long the user was locked out (switching), once known.</summary>
    public long? LockoutMilliseconds { get; set; }

    /// <summary>The epoch the move claims; set when switching commits.</summary>
    public long NewEpoch { get; set; }

    /// <summary>Whether the source has been asked to hold the mailbox (so a rollback must release it).</summary>
    public bool SourceHeld { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary><see cref="MigrationResults"/>, once finished.</summary>
    public string? Result { get; set; }

    /// <summary>What went wrong, or what the job waits for (a source that does not answer).</summary>
    public string? Error { get; set; }

    /// <summary>True once the report was sent; a restart does not send it twice.</summary>
    public bool Reported { get; set; }
}

/// <summary>A mailbox whose mail waits in the queue and whose user may not sign in: its migration is switching.</summary>
public sealed class MailboxHold
{
    /// <summary>ASCII form, lower case.</summary>
    public required string Address { get; set; }

    public required string JobId { get; set; }

    /// <summary>The node the mailbox moves to.</summary>
    public required string Target { get; set; }

    public DateTimeOffset Since { get; set; }
}

/// <summary>What the console and the API show of a job.</summary>
public sealed record MigrationInfo(
    string Id, string User, string Source, string Target, string State, double Progress,
    long BytesCopied, long BytesTotal, long MessagesCopied, long Messages,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? Result, string? Error, long? LockoutMilliseconds, string StartedBy)
{
    public TimeSpan? Duration => StartedAt is { } start ? (FinishedAt ?? DateTimeOffset.UtcNow) - start : null;

    public bool IsFinished => MigrationStates.IsFinished(State);

    public bool IsCancelable => MigrationStates.IsCancelable(State);

    internal static MigrationInfo Of(MigrationJob job) => new(
        job.Id, job.Address, job.Source, job.Target, job.State, ProgressOf(job),
        job.BytesCopied, job.BytesTotal, job.MessagesCopied, job.MessagesTotal,
        job.CreatedAt, job.StartedAt, job.FinishedAt, job.Result, job.Error, job.LockoutMilliseconds, job.StartedBy);

    /// <summary>0 to 1, by bytes (messages when the mailbox is empty); 1 once committed.</summary>
    private static double ProgressOf(MigrationJob job) =>
        MigrationStates.IsCommitted(job.State) ? 1
        : job.BytesTotal > 0 ? Math.Min(1, (double)job.BytesCopied / job.BytesTotal)
        : job.MessagesTotal > 0 ? Math.Min(1, (double)job.MessagesCopied / job.MessagesTotal)
        : 0;
}
