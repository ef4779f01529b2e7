using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ical.Net.DataTypes;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Scheduling;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Tests.Integration.Administration;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;
using static MailAdmin.Tests.Integration.Scheduling.SchedulingSteps;

namespace MailAdmin.Tests.Integration.Scheduling;

/// <summary>
/// Free/busy for everyone (issue 8) on a two-node distributed domain: real iMIP messages
/// (MimeKit, Ical.Net) sent over SMTP to the nodes, the calendars kept on each user's home
/// server, <c>GET /freebusy/{address}</c> answered by either node over the peer channel.
/// Alice, Eva and Zoe live on hq; Bob, Dan and John on ny.
/// </summary>
[Collection(TwoOfficesCollection.Name)]
public sealed class FreeBusyAcrossServersTests(TwoOfficesFixture cluster)
{
    private const string Alice = "alice.novak@company.com";
    private const string Eva = "eva.green@company.com";
    private const string Zoe = "zoe.dvorak@company.com";
    private const string Bob = "bob.smith@company.com";
    private const string Dan = "dan.brown@company.com";
    private const string John = "john.smith@company.com";
    private const string Carol = "carol.jones@company.com";

    /// <summary>A Monday at least a week ahead, 00:00 UTC: every meeting of these tests is after it.</summary>
    private static readonly DateTimeOffset Monday = NextMonday();

    private static string Range => $"start={Iso(Monday)}&days=42";

    [Fact]
    public async Task AnInvitationFromHqToBobOnNy_IsTentative_AcceptedBusy_MovedFollows_CancelledFree_AndBothNodesAnswerTheSame()
    {
        var first = Imip.Meeting($"planning-{Guid.NewGuid():N}", Alice, [Bob], At(1, 10), TimeSpan.FromHours(1));

        // Alice invites Bob from her home server; the request reaches Bob's home server over the peer link.
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [Bob], "REQUEST", Imip.Calendar("REQUEST", first)));
        await SameOnBothNodesAsync(Bob, [$"BUSY-TENTATIVE {Period(1, 10, 11)}"], "Bob's invitation is tentative");
        await SameOnBothNodesAsync(Alice, [$"BUSY {Period(1, 10, 11)}"], "Alice organises the meeting, so she is busy");

        // Bob accepts from his own server.
        await SubmitAsync(cluster.Ny, Bob, Imip.Message(Bob, [Alice], "REPLY", Imip.Calendar("REPLY", Imip.Answer(first, Bob, "ACCEPTED"))));
        await SameOnBothNodesAsync(Bob, [$"BUSY {Period(1, 10, 11)}"], "Bob accepted");

        // Alice moves the meeting: Bob is asked again, the old time is free.
        var moved = Imip.Meeting(first.Uid!, Alice, [Bob], At(2, 15), TimeSpan.FromMinutes(90), sequence: 1);
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [Bob], "REQUEST", Imip.Calendar("REQUEST", moved)));
        await SameOnBothNodesAsync(Bob, [$"BUSY-TENTATIVE {Period(2, 15, 16.5)}"], "the moved meeting is tentative again");
        await SameOnBothNodesAsync(Alice, [$"BUSY {Period(2, 15, 16.5)}"], "Alice's own meeting moved");
        await SubmitAsync(cluster.Ny, Bob, Imip.Message(Bob, [Alice], "REPLY", Imip.Calendar("REPLY", Imip.Answer(moved, Bob, "ACCEPTED"))));
        await SameOnBothNodesAsync(Bob, [$"BUSY {Period(2, 15, 16.5)}"], "Bob accepted the new time");

        // Alice cancels it, the calendar attached as invite.ics this time.
        var cancel = Imip.Meeting(first.Uid!, Alice, [Bob], At(2, 15), TimeSpan.FromMinutes(90), sequence: 2);
        cancel.Status = "CANCELLED";
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [Bob], "CANCEL", Imip.Calendar("CANCEL", cancel), asAttachment: true));
        await SameOnBothNodesAsync(Bob, [], "the cancelled meeting is free for Bob");
        await SameOnBothNodesAsync(Alice, [], "the cancelled meeting is free for Alice");
    }

    [Fact]
    public async Task ADeclinedInvitation_LeavesTheTimeFree_AndTheAnswerShowsNoSubject()
    {
        var meeting = Imip.Meeting($"review-{Guid.NewGuid():N}", Eva, [Dan], At(3, 9), TimeSpan.FromHours(2));
        await SubmitAsync(cluster.Hq, Eva, Imip.Message(Eva, [Dan], "REQUEST", Imip.Calendar("REQUEST", meeting)));
        await SameOnBothNodesAsync(Dan, [$"BUSY-TENTATIVE {Period(3, 9, 11)}"], "Dan is invited");

        var text = await (await ReadFreeBusyAsync(cluster.Hq, Dan, Range, Basic(Dan))).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Private subject", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Room 4.12", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Eva, text, StringComparison.Ordinal);

        await SubmitAsync(cluster.Ny, Dan, Imip.Message(Dan, [Eva], "REPLY", Imip.Calendar("REPLY", Imip.Answer(meeting, Dan, "DECLINED"))));
        await SameOnBothNodesAsync(Dan, [], "Dan declined");
    }

    [Fact]
    public async Task AWeeklyMeeting_WithAnExceptionDate_AndAMovedOccurrence_IsExpandedTheSameByBothNodes()
    {
        var start = At(0, 8);
        var series = Imip.Meeting($"weekly-{Guid.NewGuid():N}", Zoe, [John], start, TimeSpan.FromHours(1));
        series.RecurrenceRule = new RecurrenceRule("FREQ=WEEKLY");
        series.ExceptionDates.Add(Imip.Utc(start.AddDays(7)));
        var moved = Imip.Meeting(series.Uid!, Zoe, [John], start.AddDays(14).AddHours(4), TimeSpan.FromHours(2));
        moved.RecurrenceIdentifier = new RecurrenceIdentifier(Imip.Utc(start.AddDays(14)), null);

        await SubmitAsync(cluster.Hq, Zoe, Imip.Message(Zoe, [John], "REQUEST", Imip.Calendar("REQUEST", series, moved)));
        await EventuallyAsync(async () => (await BusyLinesAsync(cluster.Ny, John)).Count == 5, "John has the invitation");
        await SubmitAsync(cluster.Ny, John, Imip.Message(John, [Zoe], "REPLY", Imip.Calendar("REPLY", Imip.Answer(series, John, "ACCEPTED"))));

        await SameOnBothNodesAsync(
            John,
            [
                $"BUSY {Period(0, 8, 9)}",
                $"BUSY {Period(14, 12, 14)}",
                $"BUSY {Period(21, 8, 9)}",
                $"BUSY {Period(28, 8, 9)}",
                $"BUSY {Period(35, 8, 9)}",
            ],
            "John's weekly meeting: not in week 2 (EXDATE), later in week 3 (moved), every week after");
    }

    [Fact]
    public async Task AMalformedCalendar_NeverHoldsUpTheMail_AndChangesNothing()
    {
        var broken = new MimeMessage();
        broken.From.Add(MailboxAddress.Parse("partner@example.org"));
        broken.To.Add(MailboxAddress.Parse(Bob));
        broken.Subject = "Broken invitation";
        var calendar = new TextPart("calendar") { Text = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:broken\r\nDTSTART:not-a-time\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" };
        calendar.ContentType.Parameters.Add("method", "REQUEST");
        broken.Body = new MultipartAlternative { new TextPart("plain") { Text = "See the attached calendar." }, calendar };
        var before = cluster.Ny.Inbox(Bob).Length;
        var busyBefore = await BusyLinesAsync(cluster.Ny, Bob);

        // From the Internet to the master, forwarded to Bob's home server.
        await SendIncomingAsync(cluster.Hq, "partner@example.org", Bob, broken);

        Assert.Equal(before + 1, (await cluster.Ny.WaitForInboxAsync(Bob, before + 1)).Length);
        Assert.Equal(busyBefore, await BusyLinesAsync(cluster.Ny, Bob));
    }

    [Fact]
    public async Task WhoMayRead_UsersOfTheDomainWithTheirPassword_AndAdministratorsOfTheDomain()
    {
        using var anonymous = cluster.Hq.CreateClient();
        using var salesAdmin = await cluster.Hq.SignedInClientAsync("sales-admin", TwoOfficesFixture.DomainAdminPassword);
        using var otherAdmin = await cluster.Hq.SignedInClientAsync("other-admin", TwoOfficesFixture.DomainAdminPassword);

        var ok = await ReadFreeBusyAsync(cluster.Hq, $"{Alice}.ifb", Range, Basic(Bob));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("text/calendar", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", ok.Content.Headers.ContentType?.CharSet);
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ReadFreeBusyAsync(cluster.Ny, $"{Alice}.vfb", null, Basic(Bob))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await salesAdmin.GetAsync($"freebusy/{Bob}")).StatusCode);

        var wrongPassword = await ReadFreeBusyAsync(cluster.Hq, Alice, null, Basic(Bob, "Wrong-Password-1"));
        Assert.Equal("unauthenticated", (await Problem.ReadAsync(wrongPassword, HttpStatusCode.Unauthorized)).Code);
        Assert.Contains(wrongPassword.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        await Problem.ReadAsync(await anonymous.GetAsync($"freebusy/{Alice}"), HttpStatusCode.Unauthorized);

        Assert.Equal("forbidden", (await Problem.ReadAsync(await otherAdmin.GetAsync($"freebusy/{Bob}"), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("invalid-range", (await Problem.ReadAsync(await ReadFreeBusyAsync(cluster.Hq, Alice, "start=2026-12-10&end=2026-12-01", Basic(Bob)), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("invalid-start", (await Problem.ReadAsync(await ReadFreeBusyAsync(cluster.Hq, Alice, "start=next-week", Basic(Bob)), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("range-too-long", (await Problem.ReadAsync(await ReadFreeBusyAsync(cluster.Hq, Alice, "start=2027-01-01&end=2028-06-01", Basic(Bob)), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("unknown-address", (await Problem.ReadAsync(await ReadFreeBusyAsync(cluster.Hq, "nobody@company.com", null, Basic(Bob)), HttpStatusCode.NotFound)).Code);
        Assert.Equal("unknown-address", (await Problem.ReadAsync(await ReadFreeBusyAsync(cluster.Ny, "staff@company.com", null, Basic(Bob)), HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task TheHomeServerDown_Gives503HomeServerUnreachable_NeverAnEmptyCalendar_AndBackAgain200()
    {
        var meeting = Imip.Meeting($"standup-{Guid.NewGuid():N}", Alice, [Bob], At(4, 9), TimeSpan.FromMinutes(15));
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [Bob], "REQUEST", Imip.Calendar("REQUEST", meeting)));
        await EventuallyAsync(async () => (await BusyLinesAsync(cluster.Hq, Bob)).Contains($"BUSY-TENTATIVE {Period(4, 9, 9.25)}"), "hq shows Bob's invitation");

        await cluster.Ny.StopAsync();
        try
        {
            var down = await ReadFreeBusyAsync(cluster.Hq, Bob, Range, Basic(Alice));
            var problem = await Problem.ReadAsync(down, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("home-server-unreachable", problem.Code);
            Assert.Contains("ny", problem.Detail, StringComparison.Ordinal);
            Assert.NotNull(down.Headers.RetryAfter);

            // hq's own users are answered as before.
            Assert.Equal(HttpStatusCode.OK, (await ReadFreeBusyAsync(cluster.Hq, Alice, Range, Basic(Alice))).StatusCode);
        }
        finally
        {
            await cluster.Ny.StartAsync();
        }

        await EventuallyAsync(
            async () => (await ReadFreeBusyAsync(cluster.Hq, Bob, Range, Basic(Alice))).StatusCode == HttpStatusCode.OK,
            "hq reaches ny again at its new address",
            TimeSpan.FromSeconds(60));
        Assert.Contains($"BUSY-TENTATIVE {Period(4, 9, 9.25)}", await BusyLinesAsync(cluster.Hq, Bob));
    }

    [Fact]
    public async Task AMailboxMigratedToAnotherServer_TakesItsCalendarAlong_AndKeepsFollowingInvitationsThere()
    {
        // Carol lives on hq; she accepts Eva's meeting there.
        var meeting = Imip.Meeting($"budget-{Guid.NewGuid():N}", Eva, [Carol], At(5, 13), TimeSpan.FromHours(1));
        await SubmitAsync(cluster.Hq, Eva, Imip.Message(Eva, [Carol], "REQUEST", Imip.Calendar("REQUEST", meeting)));
        await SameOnBothNodesAsync(Carol, [$"BUSY-TENTATIVE {Period(5, 13, 14)}"], "Carol is invited");
        await SubmitAsync(cluster.Hq, Carol, Imip.Message(Carol, [Eva], "REPLY", Imip.Calendar("REPLY", Imip.Answer(meeting, Carol, "ACCEPTED"))));
        await SameOnBothNodesAsync(Carol, [$"BUSY {Period(5, 13, 14)}"], "Carol accepted");

        // Migrate Here on ny.
        using var nyAdmin = await cluster.Ny.SignedInClientAsync();
        var started = await nyAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Carol } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;
        await EventuallyAsync(
            async () => (await nyAdmin.GetFromJsonAsync<List<JsonElement>>("api/v1/migrations"))!.Single(j => j.GetProperty("id").GetString() == id).GetProperty("state").GetString() == "completed",
            "Carol's mailbox has moved to ny",
            TimeSpan.FromSeconds(90));

        // ny answers from its own copy now, hq asks ny; hq kept nothing.
        await SameOnBothNodesAsync(Carol, [$"BUSY {Period(5, 13, 14)}"], "Carol's meeting moved with her");
        Assert.NotEmpty(await cluster.Ny.Services.GetRequiredService<CalendarBook>().ExportAsync(Carol, CancellationToken.None));
        Assert.Empty(await cluster.Hq.Services.GetRequiredService<CalendarBook>().ExportAsync(Carol, CancellationToken.None));

        // Eva cancels: the cancellation goes to Carol's new home, which frees the time.
        var cancel = Imip.Meeting(meeting.Uid!, Eva, [Carol], At(5, 13), TimeSpan.FromHours(1), sequence: 1);
        await SubmitAsync(cluster.Hq, Eva, Imip.Message(Eva, [Carol], "CANCEL", Imip.Calendar("CANCEL", cancel)));
        await SameOnBothNodesAsync(Carol, [], "the cancellation reached Carol on ny");
    }

    /// <summary>Waits until both nodes answer <paramref name="expected"/> for <paramref name="user"/>, then checks that their whole VFREEBUSY periods are equal.</summary>
    private async Task SameOnBothNodesAsync(string user, string[] expected, string what)
    {
        foreach (var node in new[] { cluster.Ny, cluster.Hq })
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            List<string> shown;
            while (!(shown = await BusyLinesAsync(node, user)).SequenceEqual(expected))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{node.Name} should show that {what}: [{string.Join(", ", expected)}], it shows [{string.Join(", ", shown)}]");
                await Task.Delay(100);
            }
        }

        Assert.Equal(await BusyLinesAsync(cluster.Ny, user), await BusyLinesAsync(cluster.Hq, user));
    }

    /// <summary>The FREEBUSY lines of the node's answer as "TYPE start/end", read by a user of the domain (Alice).</summary>
    private static Task<List<string>> BusyLinesAsync(TestNode node, string user) => FreeBusyLinesAsync(node, user, Range, Basic(Alice));

    private static DateTimeOffset At(int day, double hour) => Monday.AddDays(day).AddHours(hour);

    private static string Period(int day, double from, double to) => $"{Utc(At(day, from))}/{Utc(At(day, to))}";

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
