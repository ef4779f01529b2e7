namespace MailAdmin.Core.Scheduling;

/// <summary>Whose meeting an entry is, from the calendar owner's side.</summary>
public enum CalendarRole
{
    /// <summary>The owner was invited (a request delivered to them).</summary>
    Attendee,

    /// <summary>The owner sent the invitation.</summary>
    Organizer,
}

/// <summary>
/// One component of a meeting in a user's calendar, kept on the user's home server: the
/// series (or a single meeting) when <see cref="RecurrenceKey"/> is empty, else one occurrence
/// of it, overridden or answered on its own. <see cref="Component"/> keeps the VEVENT as it came
/// (with the time zones it names), so occurrences are expanded again for every range asked.
/// </summary>
public sealed class CalendarEntry
{
    public long Id { get; set; }

    /// <summary>The calendar's owner: the primary address of a mailbox homed here, lower case ASCII.</summary>
    public required string Owner { get; set; }

    public required string Uid { get; set; }

    /// <summary>Empty for the series; else the occurrence's RECURRENCE-ID (<see cref="CalendarEntries.RecurrenceKeyOf"/>).</summary>
    public string RecurrenceKey { get; set; } = string.Empty;

    public int Sequence { get; set; }

    /// <summary>DTSTAMP of the message that last changed the entry: with the sequence, which update is newer.</summary>
    public DateTimeOffset Stamp { get; set; }

    public CalendarRole Role { get; set; }

    /// <summary>The owner's PARTSTAT (NEEDS-ACTION, ACCEPTED, TENTATIVE, DECLINED); null leaves it to the series.</summary>
    public string? Participation { get; set; }

    /// <summary>Cancelled by its organiser: kept (with its sequence) so that an older request arriving late does not bring it back.</summary>
    public bool Cancelled { get; set; }

    /// <summary>First instant the entry may be busy (its first occurrence's start).</summary>
    public DateTimeOffset StartsAt { get; set; }

    /// <summary>Last instant it may be busy; null for a series without end.</summary>
    public DateTimeOffset? EndsAt { get; set; }

    /// <summary>A VCALENDAR with this VEVENT and the VTIMEZONEs it uses; null for an occurrence known only by a reply or a cancellation.</summary>
    public string? Component { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
