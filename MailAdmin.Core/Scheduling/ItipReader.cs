using System.Buffers;
using System.Globalization;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MimeKit;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Core.Scheduling;

/// <summary>A calendar part that cannot be read; the message is delivered all the same.</summary>
public sealed class ItipFormatException : Exception
{
    public ItipFormatException()
    {
    }

    public ItipFormatException(string message)
        : base(message)
    {
    }

    public ItipFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Finds the iMIP part of a mail message (RFC 6047): a <c>text/calendar</c> body part (alone,
/// inside <c>multipart/alternative</c>, or attached, also as <c>application/ics</c>) with an
/// iTIP METHOD of REQUEST, REPLY or CANCEL, read with Ical.Net. Other methods (PUBLISH,
/// COUNTER, REFRESH, ADD) and calendars without a method change nothing here.
/// </summary>
public static class ItipReader
{
    private static readonly SearchValues<string> Markers = SearchValues.Create(["text/calendar", "application/ics"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A cheap first look at the raw message: false when no part can be a calendar, so that
    /// ordinary mail is never parsed as MIME for this.
    /// </summary>
    public static bool MayHoldCalendar(Stream message)
    {
        ArgumentNullException.ThrowIfNull(message);
        const int Overlap = 16;
        var bytes = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var chars = new char[bytes.Length + Overlap];
        try
        {
            var kept = 0;
            int read;
            while ((read = message.Read(bytes, 0, bytes.Length)) > 0)
            {
                var count = Encoding.Latin1.GetChars(bytes, 0, read, chars, kept);
                var window = chars.AsSpan(0, kept + count);
                if (window.IndexOfAny(Markers) >= 0)
                {
                    return true;
                }

                kept = Math.Min(Overlap, window.Length);
                window[^kept..].CopyTo(chars);
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The iTIP content of a MIME message; null when it has none that matters here.</summary>
    /// <exception cref="ItipFormatException">The calendar part cannot be read.</exception>
    public static async Task<ItipMessage?> ReadAsync(Stream message, CancellationToken cancellationToken)
    {
        MimeMessage mime;
        try
        {
            mime = await MimeMessage.LoadAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            throw new ItipFormatException("The message is not MIME.", e);
        }

        foreach (var part in mime.BodyParts.OfType<MimePart>())
        {
            if (!part.ContentType.IsMimeType("text", "calendar") && !part.ContentType.IsMimeType("application", "ics"))
            {
                continue;
            }

            if (part.Content is null)
            {
                continue;
            }

            string text;
            using (var decoded = new MemoryStream())
            {
                await part.Content.DecodeToAsync(decoded, cancellationToken).ConfigureAwait(false);
                var charset = part.ContentType.Charset is null ? Encoding.UTF8 : part.ContentType.CharsetEncoding ?? Encoding.UTF8;
                text = charset.GetString(decoded.GetBuffer(), 0, (int)decoded.Length);
            }

            if (Parse(text, part.ContentType.Parameters["method"]) is { } itip)
            {
                return itip;
            }
        }

        return null;
    }

    /// <summary>An iCalendar object as iTIP; null when its method is none of those handled.</summary>
    /// <exception cref="ItipFormatException">The text is not iCalendar, or an event lacks what iTIP requires.</exception>
    public static ItipMessage? Parse(string text, string? contentTypeMethod = null)
    {
        IcalCalendar calendar;
        try
        {
            calendar = IcalCalendar.Load(text) ?? throw new ItipFormatException("The calendar part is empty.");
        }
        catch (Exception e) when (e is not ItipFormatException and not OutOfMemoryException)
        {
            throw new ItipFormatException($"The calendar part is not iCalendar ({e.GetType().Name}).", e);
        }

        var methodName = string.IsNullOrWhiteSpace(calendar.Method) ? contentTypeMethod : calendar.Method;
        ItipMethod method;
        switch (methodName?.Trim().ToUpperInvariant())
        {
            case "REQUEST":
                method = ItipMethod.Request;
                break;
            case "REPLY":
                method = ItipMethod.Reply;
                break;
            case "CANCEL":
                method = ItipMethod.Cancel;
                break;
            default:
                return null;
        }

        var zones = calendar.TimeZones.ToList();
        var events = new List<ItipEvent>();
        foreach (var vevent in calendar.Events.ToList())
        {
            events.Add(ToEvent(vevent, zones, method));
        }

        return events.Count == 0 ? null : new ItipMessage(method, events);
    }

    /// <summary>An address of a calendar user (<c>mailto:Bob@Company.com</c>) as stored: lower case, without the scheme.</summary>
    public static string? AddressOf(Uri? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = Uri.UnescapeDataString(value.OriginalString).Trim();
        if (text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        return text.Contains('@', StringComparison.Ordinal) ? text.ToLowerInvariant() : null;
    }

    private static ItipEvent ToEvent(CalendarEvent vevent, List<VTimeZone> zones, ItipMethod method)
    {
        if (string.IsNullOrWhiteSpace(vevent.Uid))
        {
            throw new ItipFormatException("A VEVENT has no UID.");
        }

        DateTimeOffset? starts;
        DateTimeOffset? ends;
        try
        {
            (starts, ends) = Span(vevent);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            throw new ItipFormatException($"The times of event {vevent.Uid} cannot be read ({e.GetType().Name}: an unknown TZID, or a date out of range).", e);
        }

        if (starts is null && method == ItipMethod.Request)
        {
            throw new ItipFormatException($"The request for event {vevent.Uid} has no DTSTART.");
        }

        var attendees = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var attendee in vevent.Attendees)
        {
            if (AddressOf(attendee.Value) is { } address)
            {
                attendees[address] = attendee.ParticipationStatus?.ToUpperInvariant();
            }
        }

        var holder = new IcalCalendar();
        foreach (var zone in zones)
        {
            holder.TimeZones.Add(zone);
        }

        holder.Events.Add(vevent);
        var component = new CalendarSerializer().SerializeToString(holder) ?? throw new ItipFormatException($"Event {vevent.Uid} cannot be written back.");
        return new ItipEvent(
            vevent.Uid.Trim(),
            CalendarEntries.RecurrenceKeyOf(vevent.RecurrenceIdentifier?.StartTime),
            vevent.Sequence,
            vevent.DtStamp is { } stamp ? new DateTimeOffset(stamp.AsUtc, TimeSpan.Zero) : DateTimeOffset.MinValue,
            AddressOf(vevent.Organizer?.Value),
            attendees,
            string.Equals(vevent.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase),
            starts,
            ends,
            component);
    }

    /// <summary>When the event's first occurrence starts and its last ends (null: a series without end).</summary>
    internal static (DateTimeOffset? Starts, DateTimeOffset? Ends) Span(CalendarEvent vevent)
    {
        if (vevent.DtStart is not { } start)
        {
            return (null, null);
        }

        var first = new DateTimeOffset(start.AsUtc, TimeSpan.Zero);
        var length = LengthOf(vevent, start);
        var rule = vevent.RecurrenceRule;
        var dates = vevent.RecurrenceDates.GetAllDates().Any() || vevent.RecurrenceDates.GetAllPeriods().Any();
        var recurring = rule is not null || dates;
        if (!recurring)
        {
            return (first, first + length);
        }

        // A series ends when all of its rules end by UNTIL; COUNT and RDATE are left open (expanded when asked).
        if (dates || rule?.Until is not { } until)
        {
            return (first, null);
        }

        return (first, new DateTimeOffset(until.AsUtc, TimeSpan.Zero) + length + TimeSpan.FromDays(1));
    }

    /// <summary>An occurrence's length: DTEND − DTSTART, or DURATION, or a day for a date, else none (RFC 5545 §3.6.1).</summary>
    internal static TimeSpan LengthOf(CalendarEvent vevent, CalDateTime start)
    {
        if (vevent.DtEnd is { } end)
        {
            var length = end.AsUtc - start.AsUtc;
            return length > TimeSpan.Zero ? length : TimeSpan.Zero;
        }

        if (vevent.Duration is { } duration)
        {
            var length = duration.ToTimeSpan(start);
            return length > TimeSpan.Zero ? length : TimeSpan.Zero;
        }

        return start.HasTime ? TimeSpan.Zero : TimeSpan.FromDays(1);
    }

    internal static string Iso(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
