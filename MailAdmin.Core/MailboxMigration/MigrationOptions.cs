using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>How mailbox migrations run on this node (<c>Migration:*</c>).</summary>
public sealed class MigrationOptions
{
    /// <summary>Mailboxes copied at the same time; the manual moves them one by one (§10.2), so 1 by default.</summary>
    public int Parallel { get; init; } = 1;

    /// <summary>Free disk the target keeps beyond the mailbox's size; a move that would leave less is refused.</summary>
    public long ReserveBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>A copy pass that changes at most this many files is small enough to be the last, under the hold.</summary>
    public int SwitchBelowFiles { get; init; } = 200;

    /// <summary>Passes without the hold before switching anyway (a mailbox that changes faster than it is copied).</summary>
    public int MaxPasses { get; init; } = 8;

    /// <summary>How long a job waits for a source that does not answer before it gives up and rolls back.</summary>
    public TimeSpan SourceWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Caps the copy's bandwidth (and the verification's disk reads), so a move over a branch office's link leaves room for its mail; 0: no cap. Never applied while the user is locked out.</summary>
    public long MaxBytesPerSecond { get; init; }

    public static MigrationOptions Read(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new()
        {
            Parallel = settings.Number("Migration:Parallel", 1, 1, 16),
            ReserveBytes = settings.Number("Migration:ReserveMegabytes", 256, 0, 1024 * 1024) * 1024L * 1024,
            SwitchBelowFiles = settings.Number("Migration:SwitchBelowFiles", 200, 1, 100_000),
            MaxPasses = settings.Number("Migration:MaxPasses", 8, 1, 100),
            MaxBytesPerSecond = settings.Number("Migration:MaxKilobytesPerSecond", 0, 0, 10_000_000) * 1024L,
            SourceWait = TimeSpan.FromSeconds(settings.Number("Migration:SourceWaitSeconds", 600, 5, 86_400)),
        };
    }
}
