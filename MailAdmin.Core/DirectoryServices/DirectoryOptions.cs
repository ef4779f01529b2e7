using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>How often the node re-reads its directories (<c>Directory:*</c>).</summary>
public sealed class DirectoryOptions
{
    /// <summary>Minutes between periodic syncs (fractions allowed); 0 turns the periodic sync off.</summary>
    public required double SyncIntervalMinutes { get; init; }

    public TimeSpan? SyncInterval => SyncIntervalMinutes == 0 ? null : TimeSpan.FromMinutes(SyncIntervalMinutes);

    public static DirectoryOptions Read(SettingsReader settings) =>
        new() { SyncIntervalMinutes = settings.Fraction("Directory:SyncIntervalMinutes", 15, 0, 24 * 60) };
}
