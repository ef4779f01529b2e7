using System.Globalization;
using System.Text;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// Writes a free/busy answer as an iCalendar object with one VFREEBUSY (RFC 5545 §3.6.4),
/// published (RFC 5546 §3.3.1): ORGANIZER is the calendar's owner, one FREEBUSY property per
/// period, in UTC, sorted by start, FBTYPE BUSY or BUSY-TENTATIVE. Only busy time: no
/// summaries, places or attendees of the meetings behind it.
/// </summary>
public static class VFreeBusyWriter
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static string Write(FreeBusyAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = new StringBuilder();
        Line(text, "BEGIN:VCALENDAR");
        Line(text, "VERSION:2.0");
        Line(text, "PRODID:-//MailAdmin//Free-Busy//EN");
        Line(text, "METHOD:PUBLISH");
        Line(text, "BEGIN:VFREEBUSY");
        Line(text, $"DTSTAMP:{Utc(answer.Stamp)}");
        Line(text, $"UID:freebusy-{answer.Address}-{Utc(answer.Range.Start)}-{Utc(answer.Range.End)}");
        Line(text, $"ORGANIZER:mailto:{answer.Address}");
        Line(text, $"DTSTART:{Utc(answer.Range.Start)}");
        Line(text, $"DTEND:{Utc(answer.Range.End)}");
        foreach (var period in answer.Busy)
        {
            var type = period.Kind == BusyKind.Busy ? "BUSY" : "BUSY-TENTATIVE";
            Line(text, $"FREEBUSY;FBTYPE={type}:{Utc(period.Start)}/{Utc(period.End)}");
        }

        Line(text, "END:VFREEBUSY");
        Line(text, "END:VCALENDAR");
        return text.ToString();
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A content line, folded at 75 octets (RFC 5545 §3.1) and ended with CRLF.</summary>
    private static void Line(StringBuilder text, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        if (bytes.Length <= 75)
        {
            text.Append(line).Append("\r\n");
            return;
        }

        var start = 0;
        var limit = 75;
        while (start < bytes.Length)
        {
            var length = Math.Min(limit, bytes.Length - start);

            // Never split a UTF-8 sequence: step back to the start of a character.
            while (start + length < bytes.Length && (bytes[start + length] & 0xC0) == 0x80)
            {
                length--;
            }

            text.Append(start == 0 ? string.Empty : " ").Append(Encoding.UTF8.GetString(bytes, start, length)).Append("\r\n");
            start += length;
            limit = 74;
        }
    }
}
