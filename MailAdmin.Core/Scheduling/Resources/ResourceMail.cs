using System.Globalization;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MimeKit;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Core.Scheduling.Resources;

/// <summary>What a resource says, in a message its organiser's client understands.</summary>
/// <param name="Address">The resource's address, lower case.</param>
public sealed record ResourceCard(string Address, string Name, ResourceType Type, string? Location);

/// <summary>
/// The messages a resource sends: its answers to organisers, iMIP replies (RFC 6047) that any
/// calendar client applies to the meeting, with the same words in plain text for a person; and
/// the notice to its manager of a request awaiting approval.
/// </summary>
public static class ResourceMail
{
    private const string ProductId = "-//MailAdmin//Resource booking//EN";

    /// <summary>
    /// The resource's REPLY to the organiser of one meeting: one VEVENT per entry answered (the
    /// series, or occurrences), each with the resource as the only ATTENDEE and its PARTSTAT.
    /// </summary>
    /// <param name="components">The meeting's VEVENTs as the calendar keeps them (<see cref="CalendarEntry.Component"/>).</param>
    /// <param name="reason">Why, in words: the clash, or the administrator's note; null for none.</param>
    public static MimeMessage Reply(ResourceCard resource, string organizer, IReadOnlyList<string> components, string participation, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(components);
        var calendar = new IcalCalendar { Method = "REPLY", ProductId = ProductId };
        string? summary = null;
        DateTimeOffset? starts = null;
        foreach (var component in components)
        {
            var loaded = IcalCalendar.Load(component) ?? throw new ItipFormatException("A stored event is empty.");
            foreach (var zone in loaded.TimeZones.ToList())
            {
                if (!calendar.TimeZones.Any(z => string.Equals(z.TzId, zone.TzId, StringComparison.Ordinal)))
                {
                    calendar.TimeZones.Add(zone);
                }
            }

            foreach (var vevent in loaded.Events.ToList())
            {
                vevent.Attendees.Clear();
                vevent.Attendees.Add(new Attendee($"mailto:{resource.Address}")
                {
                    CommonName = resource.Name,
                    ParticipationStatus = participation,
                    Type = resource.Type == ResourceType.Room ? "ROOM" : "RESOURCE",
                });
                vevent.DtStamp = new CalDateTime(now.UtcDateTime, CalDateTime.UtcTzId, true);
                vevent.Alarms.Clear();
                if (reason is not null)
                {
                    vevent.Comments.Add(reason);
                }

                summary ??= vevent.Summary;
                if (vevent.DtStart is { } start && vevent.RecurrenceIdentifier is null)
                {
                    starts ??= new DateTimeOffset(start.AsUtc, TimeSpan.Zero);
                }

                calendar.Events.Add(vevent);
            }
        }

        var verb = participation switch
        {
            CalendarBook.Declined => "declined",
            "ACCEPTED" => "accepted",
            _ => "holds, until its manager approves it,",
        };
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{resource.Name} <{resource.Address}> {verb} your meeting \"{summary ?? "(no subject)"}\"")
            .Append(starts is { } at ? $" of {at.UtcDateTime.ToString("ddd d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture)}" : string.Empty)
            .Append(reason is null ? "." : $": {reason}.")
            .AppendLine()
            .ToString();
        var subject = participation switch
        {
            CalendarBook.Declined => "Declined",
            "ACCEPTED" => "Accepted",
            _ => "Tentative",
        };
        return Build(resource, organizer, $"{subject}: {summary ?? "(no subject)"}", text, calendar, now);
    }

    /// <summary>The notice to a resource's manager: a request waits for them in the console.</summary>
    public static MimeMessage ApprovalRequest(ResourceCard resource, string manager, string organizer, IReadOnlyList<BookingDecision> pending, string? consoleUrl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(pending);
        var first = pending[0].Event;
        var summary = SummaryOf(first.Component) ?? "(no subject)";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{organizer} asks to book {resource.Name} <{resource.Address}> for \"{summary}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"starting {first.StartsAt?.UtcDateTime.ToString("ddd d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "(no start)"}{(pending.Count > 1 || first.EndsAt is null || first.RecurrenceKey.Length > 0 ? " (a recurring meeting)" : string.Empty)}.")
            .AppendLine()
            .AppendLine("You manage this resource: approve or decline the request on the Resources page of the administration console")
            .AppendLine(consoleUrl is { Length: > 0 } url ? $"({url.TrimEnd('/')}/resources). The organiser is told your answer by mail." : "of its home server. The organiser is told your answer by mail.")
            .ToString();
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(resource.Name, resource.Address));
        message.To.Add(MailboxAddress.Parse(manager));
        message.Subject = $"Approval needed: {resource.Name}, \"{summary}\"";
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(resource.Address).Domain);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    /// <summary>The SUMMARY of the first VEVENT of a stored component, or null.</summary>
    public static string? SummaryOf(string? component)
    {
        if (component is null)
        {
            return null;
        }

        try
        {
            return IcalCalendar.Load(component)?.Events.FirstOrDefault()?.Summary;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static MimeMessage Build(ResourceCard resource, string organizer, string subject, string text, IcalCalendar calendar, DateTimeOffset now)
    {
        var ics = new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("The reply cannot be written.");
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(resource.Name, resource.Address));
        message.To.Add(MailboxAddress.Parse(organizer));
        message.Subject = subject;
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(resource.Address).Domain);

        // An automatic answer (RFC 3834): vacation responders and other robots do not answer it back.
        message.Headers.Add("Auto-Submitted", "auto-replied");
        var part = new TextPart("calendar") { Text = ics };
        part.ContentType.Parameters.Add("method", "REPLY");
        part.ContentType.Charset = "utf-8";
        message.Body = new MultipartAlternative { new TextPart("plain") { Text = text }, part };
        return message;
    }
}
