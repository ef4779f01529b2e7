using System.Globalization;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MimeKit;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Core.Scheduling;

/// <summary>What an attendee of a meeting is, as iCalendar's CUTYPE says it.</summary>
public enum AttendeeKind
{
    /// <summary><c>CUTYPE=INDIVIDUAL</c>.</summary>
    Person,

    /// <summary><c>CUTYPE=ROOM</c>: a meeting room booked by inviting it.</summary>
    Room,

    /// <summary><c>CUTYPE=RESOURCE</c>: a projector, a car.</summary>
    Resource,
}

/// <summary>Someone (or something) invited: an address of the domain, the name shown to the others.</summary>
public sealed record MeetingAttendee(string Address, string? Name = null, AttendeeKind Kind = AttendeeKind.Person);

/// <summary>A meeting to invite people to, as the planner sends it.</summary>
/// <param name="Organizer">The mailbox the invitation comes from; answers go back to it.</param>
/// <param name="Start">When it starts; written in UTC.</param>
public sealed record MeetingRequest(
    string Organizer,
    IReadOnlyList<MeetingAttendee> Attendees,
    DateTimeOffset Start,
    TimeSpan Duration,
    string Summary,
    string? Location = null,
    string? Description = null,
    string? OrganizerName = null)
{
    public DateTimeOffset End => Start + Duration;
}

/// <summary>
/// An invitation as calendar clients expect it (iMIP, RFC 6047, carrying an iTIP REQUEST, RFC
/// 5546): <c>multipart/alternative</c> with a plain-text summary for people and the
/// <c>text/calendar; method=REQUEST</c> part for their clients. The event has a new UID,
/// SEQUENCE 0, times in UTC (no VTIMEZONE to get wrong), the organiser, and every attendee
/// asked to answer (PARTSTAT=NEEDS-ACTION, RSVP=TRUE), rooms and resources typed by CUTYPE.
/// </summary>
public static class MeetingInvitation
{
    public const string ProductId = "-//MailAdmin//Meeting planner//EN";

    /// <summary>The MIME message of <paramref name="request"/>, whose event has <paramref name="uid"/>.</summary>
    public static MimeMessage Build(MeetingRequest request, string uid, DateTimeOffset stamp)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(uid);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(request.OrganizerName, request.Organizer));
        foreach (var attendee in request.Attendees)
        {
            message.To.Add(new MailboxAddress(attendee.Name, attendee.Address));
        }

        message.Subject = $"Invitation: {request.Summary}";
        message.Date = stamp;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(request.Organizer[(request.Organizer.LastIndexOf('@') + 1)..]);

        var calendar = new TextPart("calendar") { Text = Calendar(request, uid, stamp), ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        calendar.ContentType.Charset = "utf-8";
        calendar.ContentType.Parameters.Add("method", "REQUEST");
        var text = new TextPart("plain") { Text = Text(request), ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        text.ContentType.Charset = "utf-8";
        message.Body = new MultipartAlternative { text, calendar };
        return message;
    }

    /// <summary>The iCalendar object (METHOD:REQUEST, one VEVENT).</summary>
    public static string Calendar(MeetingRequest request, string uid, DateTimeOffset stamp)
    {
        ArgumentNullException.ThrowIfNull(request);
        var meeting = new CalendarEvent
        {
            Uid = uid,
            Sequence = 0,
            DtStamp = Utc(stamp),
            DtStart = Utc(request.Start),
            DtEnd = Utc(request.End),
            Summary = request.Summary,
            Location = string.IsNullOrWhiteSpace(request.Location) ? null : request.Location,
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description,
            Status = "CONFIRMED",
            Transparency = "OPAQUE",
            Organizer = new Organizer($"mailto:{request.Organizer}") { CommonName = request.OrganizerName },
        };
        foreach (var attendee in request.Attendees)
        {
            meeting.Attendees.Add(new Attendee($"mailto:{attendee.Address}")
            {
                CommonName = attendee.Name,
                Type = attendee.Kind switch
                {
                    AttendeeKind.Room => "ROOM",
                    AttendeeKind.Resource => "RESOURCE",
                    _ => "INDIVIDUAL",
                },
                Role = attendee.Kind == AttendeeKind.Person ? "REQ-PARTICIPANT" : "NON-PARTICIPANT",
                ParticipationStatus = "NEEDS-ACTION",
                Rsvp = true,
            });
        }

        var calendar = new IcalCalendar { Method = "REQUEST", ProductId = ProductId };
        calendar.Events.Add(meeting);
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("The invitation cannot be written as iCalendar.");
    }

    private static string Text(MeetingRequest request)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{request.OrganizerName ?? request.Organizer} invites you to: {request.Summary}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"When:  {request.Start.UtcDateTime:dddd d MMMM yyyy, HH:mm}–{request.End.UtcDateTime:HH:mm} UTC\n");
        if (!string.IsNullOrWhiteSpace(request.Location))
        {
            text.Append(CultureInfo.InvariantCulture, $"Where: {request.Location}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Who:   {string.Join(", ", request.Attendees.Select(a => a.Name is null ? a.Address : $"{a.Name} <{a.Address}>"))}\n");
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            text.Append('\n').Append(request.Description).Append('\n');
        }

        text.Append("\nYour calendar program shows this invitation with buttons to accept or decline it.\n");
        return text.ToString();
    }

    private static CalDateTime Utc(DateTimeOffset at) => new(at.UtcDateTime, CalDateTime.UtcTzId, true);
}
