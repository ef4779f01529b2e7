using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MimeKit;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Tests.Infrastructure.Mail;

/// <summary>iMIP messages (RFC 6047) as calendar clients send them: the iCalendar object written by Ical.Net, the MIME by MimeKit.</summary>
public static class Imip
{
    /// <summary>A meeting from <paramref name="start"/> for <paramref name="length"/>, organised by <paramref name="organizer"/>.</summary>
    public static CalendarEvent Meeting(string uid, string organizer, IEnumerable<string> attendees, DateTimeOffset start, TimeSpan length, int sequence = 0, string partStat = "NEEDS-ACTION", DateTimeOffset? stamp = null)
    {
        var meeting = new CalendarEvent
        {
            Uid = uid,
            Sequence = sequence,
            DtStamp = Utc(stamp ?? DateTimeOffset.UtcNow),
            DtStart = Utc(start),
            DtEnd = Utc(start + length),
            Summary = $"Private subject {uid}",
            Location = "Room 4.12",
            Organizer = new Organizer($"mailto:{organizer}"),
        };
        foreach (var attendee in attendees)
        {
            meeting.Attendees.Add(new Attendee($"mailto:{attendee}") { ParticipationStatus = partStat, Rsvp = true, Role = "REQ-PARTICIPANT" });
        }

        return meeting;
    }

    /// <summary><paramref name="attendee"/>'s answer to <paramref name="meeting"/>: the same UID and sequence, only them as attendee.</summary>
    public static CalendarEvent Answer(CalendarEvent meeting, string attendee, string partStat, DateTimeOffset? recurrenceId = null)
    {
        var answer = new CalendarEvent
        {
            Uid = meeting.Uid,
            Sequence = meeting.Sequence,
            DtStamp = Utc(DateTimeOffset.UtcNow),
            DtStart = meeting.DtStart,
            DtEnd = meeting.DtEnd,
            Organizer = meeting.Organizer,
        };
        if (recurrenceId is { } id)
        {
            answer.RecurrenceIdentifier = new RecurrenceIdentifier(Utc(id), null);
            answer.DtStart = Utc(id);
            answer.DtEnd = Utc(id + (meeting.DtEnd!.AsUtc - meeting.DtStart!.AsUtc));
        }
        else if (meeting.RecurrenceRule is { } rule)
        {
            answer.RecurrenceRule = rule;
        }

        answer.Attendees.Add(new Attendee($"mailto:{attendee}") { ParticipationStatus = partStat });
        return answer;
    }

    public static CalDateTime Utc(DateTimeOffset at) => new(at.UtcDateTime, CalDateTime.UtcTzId, true);

    /// <summary>An iCalendar object with the iTIP method and events.</summary>
    public static string Calendar(string method, params CalendarEvent[] events)
    {
        var calendar = new IcalCalendar { Method = method, ProductId = "-//MailAdmin tests//iMIP//EN" };
        foreach (var item in events)
        {
            calendar.Events.Add(item);
        }

        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    /// <summary>
    /// The message a client sends: a text body and the calendar in <c>multipart/alternative</c>
    /// (Thunderbird, Outlook), or the calendar attached as <c>invite.ics</c> (<paramref name="asAttachment"/>).
    /// </summary>
    public static MimeMessage Message(string from, IEnumerable<string> to, string method, string calendarText, bool asAttachment = false)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in to)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = $"Invitation ({method})";
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("test.example");
        var text = new TextPart("plain") { Text = "You are invited. Your mail client shows the meeting." };
        var calendar = new TextPart("calendar") { Text = calendarText };
        calendar.ContentType.Charset = "utf-8";
        calendar.ContentType.Parameters.Add("method", method);
        if (asAttachment)
        {
            var attachment = new MimePart("application", "ics")
            {
                Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(calendarText))),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "invite.ics" },
                ContentTransferEncoding = ContentEncoding.Base64,
            };
            message.Body = new Multipart("mixed") { text, attachment };
        }
        else
        {
            message.Body = new MultipartAlternative { text, calendar };
        }

        return message;
    }
}
