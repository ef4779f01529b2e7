using Ical.Net.DataTypes;

namespace MailAdmin.Core.Scheduling;

/// <summary>How calendar entries name an occurrence.</summary>
public static class CalendarEntries
{
    /// <summary>
    /// An occurrence's key: its RECURRENCE-ID (or, for an occurrence of a series, its original
    /// start) in UTC, <c>yyyyMMddTHHmmssZ</c>; empty for the series itself.
    /// </summary>
    public static string RecurrenceKeyOf(CalDateTime? recurrenceId) =>
        recurrenceId is null ? string.Empty : ItipReader.Iso(recurrenceId.AsUtc);
}
