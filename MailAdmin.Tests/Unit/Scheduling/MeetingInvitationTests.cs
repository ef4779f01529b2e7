using MailAdmin.Core.Scheduling;
using MimeKit;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Tests.Unit.Scheduling;

/// <summary>The planner's invitation is iMIP that calendar clients and this node's own reader take.</summary>
public sealed class MeetingInvitationTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 9, 30, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Stamp = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly MeetingRequest Request = new(
        "alice@company.com",
        [new MeetingAttendee("bob@company.com", "Bob Smith"), new MeetingAttendee("room.orion@company.com", "Orion", AttendeeKind.Room)],
        Start,
        TimeSpan.FromMinutes(45),
        "Budget; review, Q1 — ünïcode",
        "Floor 4, Orion",
        "Agenda:\n1. numbers\n2. decisions",
        "Alice Novak");

    [Fact]
    public async Task Build_IsAnImipRequest_ThatTheCalendarReaderTakes()
    {
        var message = MeetingInvitation.Build(Request, "uid-42@company.com", Stamp);

        var itip = await ItipReader.ReadAsync(await ToStreamAsync(message), CancellationToken.None);

        Assert.NotNull(itip);
        Assert.Equal(ItipMethod.Request, itip.Method);
        var meeting = Assert.Single(itip.Events);
        Assert.Equal("uid-42@company.com", meeting.Uid);
        Assert.Equal(0, meeting.Sequence);
        Assert.Equal(Stamp, meeting.Stamp);
        Assert.Equal("alice@company.com", meeting.Organizer);
        Assert.Equal(Start, meeting.StartsAt);
        Assert.Equal(Start.AddMinutes(45), meeting.EndsAt);
        Assert.Equal(new Dictionary<string, string?> { ["bob@company.com"] = "NEEDS-ACTION", ["room.orion@company.com"] = "NEEDS-ACTION" }, meeting.Attendees);
    }

    [Fact]
    public async Task Build_IsMultipartAlternative_TextAndCalendarWithMethodRequest()
    {
        var message = MeetingInvitation.Build(Request, "uid-42@company.com", Stamp);
        var parsed = await MimeMessage.LoadAsync(await ToStreamAsync(message));

        var body = Assert.IsType<MultipartAlternative>(parsed.Body);
        Assert.Equal(2, body.Count);
        var text = Assert.IsType<TextPart>(body[0]);
        Assert.True(text.IsPlain);
        Assert.Contains("Alice Novak invites you to: Budget; review, Q1 — ünïcode", text.Text, StringComparison.Ordinal);
        Assert.Contains("Tuesday 8 December 2026, 08:30–09:15 UTC", text.Text, StringComparison.Ordinal);
        var calendar = Assert.IsType<TextPart>(body[1]);
        Assert.True(calendar.ContentType.IsMimeType("text", "calendar"));
        Assert.Equal("REQUEST", calendar.ContentType.Parameters["method"]);
        Assert.Equal("alice@company.com", ((MailboxAddress)parsed.From.Single()).Address);
        Assert.Equal(["bob@company.com", "room.orion@company.com"], parsed.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("Invitation: Budget; review, Q1 — ünïcode", parsed.Subject);
    }

    [Fact]
    public void Calendar_HasEveryPropertyOfAnItipRequest_TimesInUtc_AndRoomsTyped()
    {
        var text = MeetingInvitation.Calendar(Request, "uid-42@company.com", Stamp);
        var calendar = IcalCalendar.Load(text)!;

        Assert.Equal("REQUEST", calendar.Method);
        var meeting = Assert.Single(calendar.Events);
        Assert.Equal("Budget; review, Q1 — ünïcode", meeting.Summary);
        Assert.Equal("Floor 4, Orion", meeting.Location);
        Assert.Equal("Agenda:\n1. numbers\n2. decisions", meeting.Description);
        Assert.True(meeting.DtStart!.IsUtc);
        Assert.Equal(Start.UtcDateTime, meeting.DtStart.AsUtc);
        Assert.Equal("Alice Novak", meeting.Organizer!.CommonName);
        var bob = meeting.Attendees.Single(a => a.Value!.ToString().EndsWith("bob@company.com", StringComparison.Ordinal));
        Assert.Equal(("INDIVIDUAL", "REQ-PARTICIPANT", "NEEDS-ACTION", true, "Bob Smith"), (bob.Type, bob.Role, bob.ParticipationStatus, bob.Rsvp, bob.CommonName));
        var room = meeting.Attendees.Single(a => a.Value!.ToString().EndsWith("room.orion@company.com", StringComparison.Ordinal));
        Assert.Equal(("ROOM", "NEEDS-ACTION", true), (room.Type, room.ParticipationStatus, room.Rsvp));
        Assert.Contains("DTSTART:20261208T083000Z", text, StringComparison.Ordinal);
        Assert.Contains("DTEND:20261208T091500Z", text, StringComparison.Ordinal);
        Assert.Contains("SEQUENCE:0", text, StringComparison.Ordinal);
        Assert.Contains("DTSTAMP:20261201T120000Z", text, StringComparison.Ordinal);
    }

    private static async Task<MemoryStream> ToStreamAsync(MimeMessage message)
    {
        var stream = new MemoryStream();
        await message.WriteToAsync(stream);
        stream.Position = 0;
        return stream;
    }
}
