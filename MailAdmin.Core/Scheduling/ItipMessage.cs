namespace MailAdmin.Core.Scheduling;

/// <summary>The iTIP methods (RFC 5546) that change a calendar's free/busy time.</summary>
public enum ItipMethod
{
    Request,
    Reply,
    Cancel,
}

/// <summary>One VEVENT of an iTIP message, with what the calendar needs to know of it.</summary>
/// <param name="RecurrenceKey">Empty for a whole meeting or series; else the occurrence it is about (<see cref="CalendarEntries.RecurrenceKeyOf"/>).</param>
/// <param name="Attendees">Each attendee's address (lower case, without <c>mailto:</c>) and PARTSTAT.</param>
/// <param name="StartsAt">Its first occurrence's start; null when the VEVENT has no DTSTART (allowed in a REPLY or a CANCEL).</param>
/// <param name="EndsAt">When its last occurrence ends; null for a series without end.</param>
/// <param name="Component">A VCALENDAR with just this VEVENT and the VTIMEZONEs of the message.</param>
public sealed record ItipEvent(
    string Uid,
    string RecurrenceKey,
    int Sequence,
    DateTimeOffset Stamp,
    string? Organizer,
    IReadOnlyDictionary<string, string?> Attendees,
    bool Cancelled,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string Component);

/// <summary>The scheduling part of a mail message: its method and the events it is about.</summary>
public sealed record ItipMessage(ItipMethod Method, IReadOnlyList<ItipEvent> Events);
