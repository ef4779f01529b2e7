using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Scheduling;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Tests.Components;

namespace MailAdmin.Tests.Integration.Scheduling;

/// <summary>
/// Sending from the meeting planner against the real Core on SQLite: the invitation is queued
/// from the organiser to the attendees, is in the organiser's calendar at once, is audited, and
/// everything a caller could get wrong is refused with a stable code.
/// </summary>
public sealed class MeetingPlannerServiceTests : IAsyncLifetime
{
    private const string Ann = "ann@company.com";
    private const string Bob = "bob@company.com";
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(9).AddHours(10);
    private static readonly Actor Admin = new(new AdminPrincipal("local:admin", "admin", AdminRole.ServerReadWrite, null), "127.0.0.1");

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, "hq");
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        await _core.Get<DomainService>().CreateAsync(Actor.System, "other.org", CancellationToken.None);
        var users = _core.Get<UserService>();
        await users.CreateLocalAsync(Actor.System, Ann, "Ann Novak", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, Bob, "Bob Smith", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, "eve@other.org", "Eve", "User-Password-1", CancellationToken.None);
        await _core.Get<MailQueue>().StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _core.Get<MailQueue>().StopAsync(CancellationToken.None);
        await _core.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_QueuesTheInvitationFromTheOrganiser_PutsItInTheirCalendar_AndAuditsIt()
    {
        var planner = _core.Get<MeetingPlanner>();

        var sent = await planner.SendAsync(Admin, Meeting(), CancellationToken.None);

        Assert.Equal([Bob], sent.Recipients);
        Assert.True(sent.InOrganizerCalendar);
        var queued = _core.Get<MailQueue>().Get(sent.QueueId);
        Assert.NotNull(queued);
        Assert.Equal(Ann, queued.Sender);
        Assert.Equal([Bob], queued.Recipients.Select(r => r.Address));
        var content = _core.Get<MailQueue>().Content(sent.QueueId)!;
        await using (var stream = content.OpenRead())
        {
            var itip = await ItipReader.ReadAsync(stream, CancellationToken.None);
            Assert.Equal(sent.Uid, Assert.Single(itip!.Events).Uid);
        }

        var ann = await _core.Get<FreeBusyService>().GetAsync(Ann, FreeBusyRange.Create(Start.AddDays(-1), Start.AddDays(1)), CancellationToken.None);
        Assert.Equal([new BusyPeriod(Start, Start.AddHours(1), BusyKind.Busy)], ann.Busy);
        var audit = await _core.Get<AuditLog>().QueryAsync(Admin.Principal, new AuditQuery(Action: "meeting.invite"), CancellationToken.None);
        var entry = Assert.Single(audit.Items);
        Assert.Equal(AuditLog.Success, entry.Result);
        Assert.StartsWith("ann@company.com: Budget review at ", entry.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ARoomOfTheDomain_IsInvitedAsARoom_AndTheOrganiserOnlyOnce()
    {
        await _core.Get<ResourceService>().CreateAsync(Actor.System, "company.com", new ResourceInput("orion@company.com", "Orion", ResourceType.Room, 8, "Floor 4", null, null, null), CancellationToken.None);

        var sent = await _core.Get<MeetingPlanner>().SendAsync(Admin, Meeting() with { Attendees = [new MeetingAttendee(Bob), new MeetingAttendee("orion@company.com", "Orion"), new MeetingAttendee(Bob)] }, CancellationToken.None);

        Assert.Equal([Bob, "orion@company.com"], sent.Recipients);
        await using var stream = _core.Get<MailQueue>().Content(sent.QueueId)!.OpenRead();
        var message = await MimeKit.MimeMessage.LoadAsync(stream);
        var calendar = message.BodyParts.OfType<MimeKit.TextPart>().Single(p => p.ContentType.IsMimeType("text", "calendar"));
        var attendees = Ical.Net.Calendar.Load(calendar.Text)!.Events.Single().Attendees;
        Assert.Equal(["INDIVIDUAL", "ROOM"], attendees.Select(a => a.Type));
    }

    [Fact]
    public async Task ReadAsync_ManyAttendees_OneUnknown_AnswersForEachInOrder()
    {
        var rows = await _core.Get<MeetingPlanner>().ReadAsync(Admin.Principal, [Bob, "nobody@company.com", Ann], FreeBusyRange.Create(Start, Start.AddDays(1)), CancellationToken.None);

        Assert.Equal([Bob, "nobody@company.com", Ann], rows.Select(r => r.Address));
        Assert.Equal([true, false, true], rows.Select(r => r.Known));
        Assert.Equal("unknown-address", rows[1].ErrorCode);
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "no-attendees", "none" },
        { "no-attendees", "only the organiser" },
        { "unknown-attendee", "nobody@company.com" },
        { "unknown-attendee", "eve@other.org" },
        { "invalid-address", "not an address" },
        { "unknown-organizer", "organiser nobody" },
        { "invalid-duration", "0" },
        { "invalid-duration", "25h" },
        { "meeting-in-past", "yesterday" },
        { "invalid-summary", "empty" },
        { "invalid-summary", "CRLF" },
        { "invalid-summary", "too long" },
        { "invalid-location", "CRLF" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SendAsync_BadRequest_IsRefusedWithItsCode_AndNothingIsQueued(string code, string what)
    {
        var meeting = what switch
        {
            "none" => Meeting() with { Attendees = [] },
            "only the organiser" => Meeting() with { Attendees = [new MeetingAttendee(Ann)] },
            "nobody@company.com" or "eve@other.org" or "not an address" => Meeting() with { Attendees = [new MeetingAttendee(Bob), new MeetingAttendee(what)] },
            "organiser nobody" => Meeting() with { Organizer = "nobody@company.com" },
            "0" => Meeting() with { Duration = TimeSpan.Zero },
            "25h" => Meeting() with { Duration = TimeSpan.FromHours(25) },
            "yesterday" => Meeting() with { Start = DateTimeOffset.UtcNow.AddDays(-1) },
            "empty" => Meeting() with { Summary = "  " },
            "too long" => Meeting() with { Summary = new string('x', MeetingPlanner.MaxSummaryLength + 1) },
            _ when code == "invalid-summary" => Meeting() with { Summary = "Budget\r\nBcc: everyone@company.com" },
            _ => Meeting() with { Location = "Room 1\nX-Injected: yes" },
        };

        var e = await Assert.ThrowsAsync<MailAdminException>(() => _core.Get<MeetingPlanner>().SendAsync(Admin, meeting, CancellationToken.None));

        Assert.Equal(code, e.Code);
        Assert.Empty(_core.Get<MailQueue>().List());
    }

    [Theory]
    [InlineData(AdminRole.ServerReadOnly, null)]
    [InlineData(AdminRole.DomainAdmin, "other.org")]
    public async Task SendAsync_AnAdministratorWhoMayNotChangeTheDomainsUsers_IsRefused(AdminRole role, string? domain)
    {
        var actor = new Actor(new AdminPrincipal("local:someone", "someone", role, domain), "127.0.0.1");

        var e = await Assert.ThrowsAsync<MailAdminException>(() => _core.Get<MeetingPlanner>().SendAsync(actor, Meeting(), CancellationToken.None));

        Assert.Equal("forbidden", e.Code);
        Assert.Empty(_core.Get<MailQueue>().List());
    }

    private static MeetingRequest Meeting() =>
        new(Ann, [new MeetingAttendee(Bob, "Bob Smith"), new MeetingAttendee(Ann)], Start, TimeSpan.FromHours(1), "Budget review", "Room 4.12", "Numbers.", "Ann Novak");
}
