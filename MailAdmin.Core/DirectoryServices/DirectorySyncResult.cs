namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// What one sync changed. <see cref="Disabled"/> counts users whose entry the
/// directory now marks disabled; <see cref="Removed"/> those whose entry is
/// gone. Both keep their mailbox, disabled, until an administrator deletes it.
/// </summary>
public sealed record DirectorySyncResult(
    int Added,
    int Updated,
    int Disabled,
    int Removed,
    int GroupsAdded,
    int GroupsUpdated,
    int GroupsRemoved,
    IReadOnlyList<string> Skipped,
    long DurationMs)
{
    /// <summary>Of <see cref="DurationMs"/>, the time spent reading the directory.</summary>
    public long ReadMs { get; init; }

    public bool ChangedNothing => Added + Updated + Disabled + Removed + GroupsAdded + GroupsUpdated + GroupsRemoved == 0;

    public string Summary => $"added {Added}, updated {Updated}, disabled {Disabled}, removed {Removed}; groups added {GroupsAdded}, updated {GroupsUpdated}, removed {GroupsRemoved}";
}
