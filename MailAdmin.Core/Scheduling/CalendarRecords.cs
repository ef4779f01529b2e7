using MailAdmin.Core.Distribution.Protocol;

namespace MailAdmin.Core.Scheduling;

/// <summary>Calendar entries on the peer channel, for a mailbox that moves.</summary>
public static class CalendarRecords
{
    public static CalendarEntryRecord ToRecord(CalendarEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var record = new CalendarEntryRecord
        {
            Uid = entry.Uid,
            RecurrenceKey = entry.RecurrenceKey,
            Sequence = entry.Sequence,
            StampUnixMs = entry.Stamp.ToUnixTimeMilliseconds(),
            Role = entry.Role.ToString(),
            Cancelled = entry.Cancelled,
            StartsUnixMs = entry.StartsAt.ToUnixTimeMilliseconds(),
        };
        if (entry.Participation is { } participation)
        {
            record.Participation = participation;
        }

        if (entry.EndsAt is { } ends)
        {
            record.EndsUnixMs = ends.ToUnixTimeMilliseconds();
        }

        if (entry.Component is { } component)
        {
            record.Component = component;
        }

        return record;
    }

    public static CalendarEntry FromRecord(CalendarEntryRecord record, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new CalendarEntry
        {
            Owner = owner,
            Uid = record.Uid,
            RecurrenceKey = record.RecurrenceKey,
            Sequence = record.Sequence,
            Stamp = DateTimeOffset.FromUnixTimeMilliseconds(record.StampUnixMs),
            Role = Enum.TryParse<CalendarRole>(record.Role, out var role) ? role : CalendarRole.Attendee,
            Participation = record.HasParticipation ? record.Participation : null,
            Cancelled = record.Cancelled,
            StartsAt = DateTimeOffset.FromUnixTimeMilliseconds(record.StartsUnixMs),
            EndsAt = record.HasEndsUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(record.EndsUnixMs) : null,
            Component = record.HasComponent ? record.Component : null,
            UpdatedAt = now,
        };
    }
}
