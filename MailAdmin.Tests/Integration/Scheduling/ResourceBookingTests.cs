using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ical.Net.DataTypes;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Tests.Integration.Administration;
using MailAdmin.Tests.Integration.Migration;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;
using static MailAdmin.Tests.Integration.Scheduling.SchedulingSteps;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Tests.Integration.Scheduling;

/// <summary>
/// Bookable resources (issue 8) on the two-office cluster: rooms created on hq, known to ny
/// from hq's document, booked by real iMIP requests over SMTP from users of both servers, and
/// answered by hq with iMIP replies that arrive in the organisers' mailboxes on their own servers.
/// Alice and Eva live on hq; Bob, Dan and John on ny.
/// </summary>
[Collection(TwoOfficesCollection.Name)]
public sealed class ResourceBookingTests(TwoOfficesFixture cluster)
{
    private const string Alice = "alice.novak@company.com";
    private const string Eva = "eva.green@company.com";
    private const string Bob = "bob.smith@company.com";
    private const string Dan = "dan.brown@company.com";
    private const string John = "john.smith@company.com";

    /// <summary>
    /// Ten weeks ahead: the organisers' own calendars get these meetings too, and the free/busy
    /// tests on the same cluster read the same users' next eight weeks.
    /// </summary>
    private static readonly DateTimeOffset Monday = NextMonday().AddDays(70);

    [Fact]
    public async Task ARoomRequestedFromHqAndNyForTheSameSlotAtTheSameInstant_IsAcceptedExactlyOnce_AndEveryOrganiserIsAnswered()
    {
        var room = await CreateAsync(new { name = "Board room", type = "room", capacity = 12, location = "HQ, 2nd floor" });
        var organisers = new[] { (Alice, cluster.Hq), (Bob, cluster.Ny), (Eva, cluster.Hq), (Dan, cluster.Ny) };
        var uids = organisers.ToDictionary(o => o.Item1, o => $"clash-{o.Item1[..3]}-{Guid.NewGuid():N}");

        // Four organisers, two on each server, ask for the same hour at the same instant.
        await Task.WhenAll(organisers.Select(o =>
        {
            var meeting = Imip.Meeting(uids[o.Item1], o.Item1, [room], At(1, 14), TimeSpan.FromHours(1));
            return SubmitAsync(o.Item2, o.Item1, Imip.Message(o.Item1, [room], "REQUEST", Imip.Calendar("REQUEST", meeting)));
        }));

        var bookings = await BookingsAsync(room, b => b.Count == 4, "hq has answered all four requests");
        Assert.Single(bookings, b => b.Status == "accepted");
        Assert.Equal(3, bookings.Count(b => b.Status == "declined"));

        // Each organiser has the room's answer on their own home server; exactly one is an acceptance.
        var answers = new Dictionary<string, ReplyOf>();
        foreach (var (organiser, node) in organisers)
        {
            answers[organiser] = await ReplyAsync(node, organiser, room, uids[organiser]);
        }

        var winner = Assert.Single(answers, a => a.Value.PartStat == "ACCEPTED").Key;
        Assert.Equal(bookings.Single(b => b.Status == "accepted").Organizer, winner);
        foreach (var (organiser, answer) in answers.Where(a => a.Key != winner))
        {
            Assert.Equal("DECLINED", answer.PartStat);
            Assert.Contains("already booked", answer.Comment, StringComparison.Ordinal);
            Assert.Contains("declined", answer.Text, StringComparison.Ordinal);
        }

        // One busy hour, whichever server is asked.
        Assert.Equal([$"BUSY {Period(1, 14, 15)}"], await BusyLinesAsync(cluster.Ny, room));
        Assert.Equal([$"BUSY {Period(1, 14, 15)}"], await BusyLinesAsync(cluster.Hq, room));
    }

    [Fact]
    public async Task AMovedMeetingFreesItsOldSlot_ACancelledOneFreesItsTime_AndASeriesThatClashesOnceIsDeclinedWithTheDate()
    {
        var room = await CreateAsync(new { name = "Huddle", type = "room", capacity = 4 });
        var standup = $"standup-{Guid.NewGuid():N}";
        var review = $"review-{Guid.NewGuid():N}";

        // Alice books 10–11; Bob's 10:30–11:30 clashes.
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [room], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(standup, Alice, [room], At(2, 10), TimeSpan.FromHours(1)))));
        Assert.Equal("ACCEPTED", (await ReplyAsync(cluster.Hq, Alice, room, standup)).PartStat);
        await SubmitAsync(cluster.Ny, Bob, Imip.Message(Bob, [room], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(review, Bob, [room], At(2, 10.5), TimeSpan.FromHours(1)))));
        var declined = await ReplyAsync(cluster.Ny, Bob, room, review);
        Assert.Equal("DECLINED", declined.PartStat);
        Assert.Contains(At(2, 10).UtcDateTime.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture), declined.Comment, StringComparison.Ordinal);

        // Alice moves her meeting to 12–13 (sequence 1): accepted again, and 10–11 is free.
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [room], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(standup, Alice, [room], At(2, 12), TimeSpan.FromHours(1), sequence: 1))));
        Assert.Equal("ACCEPTED", (await ReplyAsync(cluster.Hq, Alice, room, standup, sequence: 1)).PartStat);
        await EventuallyAsync(async () => (await BusyLinesAsync(cluster.Ny, room)).SequenceEqual([$"BUSY {Period(2, 12, 13)}"]), "the room is busy only at the new time");

        // Bob asks again (sequence 1): now it fits.
        await SubmitAsync(cluster.Ny, Bob, Imip.Message(Bob, [room], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(review, Bob, [room], At(2, 10.5), TimeSpan.FromHours(1), sequence: 1))));
        Assert.Equal("ACCEPTED", (await ReplyAsync(cluster.Ny, Bob, room, review, sequence: 1)).PartStat);

        // Alice cancels: her hour is free, Bob's stays.
        var cancel = Imip.Meeting(standup, Alice, [room], At(2, 12), TimeSpan.FromHours(1), sequence: 2);
        cancel.Status = "CANCELLED";
        await SubmitAsync(cluster.Hq, Alice, Imip.Message(Alice, [room], "CANCEL", Imip.Calendar("CANCEL", cancel)));
        await EventuallyAsync(async () => (await BusyLinesAsync(cluster.Hq, room)).SequenceEqual([$"BUSY {Period(2, 10.5, 11.5)}"]), "the cancelled hour is free, Bob's booking stays");

        // A weekly series from the week before, whose third occurrence meets Bob's booking: declined, naming it.
        var weekly = Imip.Meeting($"weekly-{Guid.NewGuid():N}", Dan, [room], At(2 - 14, 11), TimeSpan.FromHours(1));
        weekly.RecurrenceRule = new RecurrenceRule("FREQ=WEEKLY;COUNT=10");
        await SubmitAsync(cluster.Ny, Dan, Imip.Message(Dan, [room], "REQUEST", Imip.Calendar("REQUEST", weekly)));
        var answer = await ReplyAsync(cluster.Ny, Dan, room, weekly.Uid!);
        Assert.Equal("DECLINED", answer.PartStat);
        Assert.Contains(At(2, 10.5).UtcDateTime.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture), answer.Comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderManagerApproval_ARequestIsTentative_TheManagerIsTold_AndTheAdministratorApprovesThenCancelsIt_TellingTheOrganiser()
    {
        var projector = await CreateAsync(new { name = "Projector", type = "equipment", policy = "manager-approval", manager = John });
        var uid = $"demo-{Guid.NewGuid():N}";
        await SubmitAsync(cluster.Hq, Eva, Imip.Message(Eva, [projector], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(uid, Eva, [projector], At(3, 9), TimeSpan.FromHours(2)))));

        Assert.Equal("TENTATIVE", Normalise((await ReplyAsync(cluster.Hq, Eva, projector, uid)).PartStat));
        var notice = await MessageAsync(cluster.Ny, John, m => m.Subject is { } subject && subject.StartsWith("Approval needed: Projector", StringComparison.Ordinal), "John, the manager, is told on his own server");
        Assert.Contains(Eva, notice.TextBody ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal([$"BUSY-TENTATIVE {Period(3, 9, 11)}"], await BusyLinesAsync(cluster.Ny, projector));
        Assert.Equal("pending", Assert.Single(await BookingsAsync(projector, b => b.Count == 1, "the request is listed", answered: false)).Status);

        // Refusals change nothing: approving on ny (not its home), deleting while booked.
        var elsewhere = await cluster.NyAdmin.PostAsync($"api/v1/resources/{projector}/bookings/{uid}/approve", null);
        Assert.Equal("not-home-server", (await Problem.ReadAsync(elsewhere, HttpStatusCode.Conflict)).Code);
        var delete = await cluster.HqAdmin.DeleteAsync($"api/v1/resources/{projector}");
        Assert.Equal("resource-has-bookings", (await Problem.ReadAsync(delete, HttpStatusCode.Conflict)).Code);

        Assert.Equal(HttpStatusCode.NoContent, (await cluster.HqAdmin.PostAsync($"api/v1/resources/{projector}/bookings/{uid}/approve", null)).StatusCode);
        Assert.Equal("ACCEPTED", (await ReplyAsync(cluster.Hq, Eva, projector, uid, partStat: "ACCEPTED")).PartStat);
        Assert.Equal([$"BUSY {Period(3, 9, 11)}"], await BusyLinesAsync(cluster.Ny, projector));

        var cancelled = await cluster.HqAdmin.PostAsJsonAsync($"api/v1/resources/{projector}/bookings/{uid}/cancel", new { reason = "Sent for repair" });
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        var told = await ReplyAsync(cluster.Hq, Eva, projector, uid, partStat: "DECLINED");
        Assert.Contains("cancelled by the administrator: Sent for repair", told.Comment, StringComparison.Ordinal);
        Assert.Empty(await BusyLinesAsync(cluster.Ny, projector));
        Assert.Equal("declined", Assert.Single(await BookingsAsync(projector, _ => true, "listed")).Status);

        // Audited on hq; now it may go, and ny forgets it.
        var audit = await cluster.HqAdmin.GetFromJsonAsync<JsonElement>("api/v1/audit?action=booking.&pageSize=500");
        var actions = audit.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("target").GetString()!.StartsWith(projector, StringComparison.Ordinal) && e.GetProperty("result").GetString() == "success")
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("booking.approve", actions);
        Assert.Contains("booking.cancel", actions);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.HqAdmin.DeleteAsync($"api/v1/resources/{projector}")).StatusCode);
        await EventuallyAsync(async () => (await cluster.NyAdmin.GetAsync($"api/v1/resources/{projector}")).StatusCode == HttpStatusCode.NotFound, "ny forgets the deleted resource");
    }

    [Fact]
    public async Task BadResourceInput_IsRefusedWithACodeAndChangesNothing_AndAResourceIsChangedOnlyOnItsHomeServer()
    {
        async Task RefusedAsync(object body, string code, HttpStatusCode status = HttpStatusCode.BadRequest)
        {
            var response = await cluster.HqAdmin.PostAsJsonAsync("api/v1/resources?domain=company.com", body);
            Assert.Equal(code, (await Problem.ReadAsync(response, status)).Code);
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        await RefusedAsync(new { address = $"r-{id}", name = "" }, "invalid-name");
        await RefusedAsync(new { address = $"r-{id}", name = "Line\r\nBcc: x@example.org" }, "invalid-name");
        await RefusedAsync(new { address = $"r-{id}", name = new string('x', 129) }, "invalid-name");
        await RefusedAsync(new { address = $"r-{id}", name = "Van", type = "car" }, "invalid-type");
        await RefusedAsync(new { address = $"r-{id}", name = "Van", capacity = -1 }, "invalid-capacity");
        await RefusedAsync(new { address = $"r-{id}", name = "Van", policy = "manager-approval" }, "manager-required");
        await RefusedAsync(new { address = $"r-{id}", name = "Van", manager = "not an address" }, "invalid-manager");
        await RefusedAsync(new { address = $"r-{id}@other.org", name = "Van" }, "wrong-domain");
        await RefusedAsync(new { address = "bob.smith", name = "Bob's room" }, "address-exists", HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.HqAdmin.GetAsync($"api/v1/resources/r-{id}@company.com")).StatusCode);

        var van = await CreateAsync(new { name = "Van", type = "equipment", location = "Garage" });

        // A partner on the Internet cannot book it: the request is delivered, books nothing, gets no answer.
        var outside = $"outside-{Guid.NewGuid():N}";
        await SendIncomingAsync(cluster.Hq, "partner@example.org", van, Imip.Message("partner@example.org", [van], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(outside, "partner@example.org", [van], At(4, 9), TimeSpan.FromHours(1)))));
        await MessageAsync(cluster.Hq, van, m => m.From.Mailboxes.Any(f => f.Address == "partner@example.org"), "the partner's request is in the van's mailbox");
        var inside = $"inside-{Guid.NewGuid():N}";
        await SubmitAsync(cluster.Ny, Bob, Imip.Message(Bob, [van], "REQUEST", Imip.Calendar("REQUEST", Imip.Meeting(inside, Bob, [van], At(4, 9), TimeSpan.FromHours(1)))));
        Assert.Equal("ACCEPTED", (await ReplyAsync(cluster.Ny, Bob, van, inside)).PartStat);
        Assert.Equal(inside, Assert.Single(await BookingsAsync(van, _ => true, "the van's bookings")).Uid);

        var onNy = await cluster.NyAdmin.PatchAsJsonAsync($"api/v1/resources/{van}", new { name = "Stolen van" });
        Assert.Equal("not-home-server", (await Problem.ReadAsync(onNy, HttpStatusCode.Conflict)).Code);

        var renamed = await cluster.HqAdmin.PatchAsJsonAsync($"api/v1/resources/{van}", new { name = "Delivery van", capacity = 3 });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        await EventuallyAsync(
            async () => (await cluster.NyAdmin.GetFromJsonAsync<JsonElement>($"api/v1/gal?domain=company.com&search={Uri.EscapeDataString(van)}")).GetProperty("items").EnumerateArray()
                .Any(e => e.GetProperty("name").GetString() == "Delivery van" && e.GetProperty("kind").GetString() == "resource" && e.GetProperty("homeServer").GetString() == "hq"),
            "ny's Global Address List has the renamed van, homed on hq");
    }

    /// <summary>Creates a resource on hq with a fresh address and waits until ny has it from hq's document.</summary>
    private async Task<string> CreateAsync(object body)
    {
        var fields = JsonSerializer.SerializeToElement(body).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        fields["address"] = $"res-{Guid.NewGuid():N}"[..16];
        var created = await cluster.HqAdmin.PostAsJsonAsync("api/v1/resources?domain=company.com", fields);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var address = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("address").GetString()!;
        await EventuallyAsync(
            async () => await cluster.NyAdmin.GetAsync($"api/v1/resources/{address}") is { StatusCode: HttpStatusCode.OK } found
                && (await found.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("homeServer").GetString() == "hq",
            $"ny knows {address} from hq's document");
        return address;
    }

    private async Task<List<Booking>> BookingsAsync(string resource, Func<List<Booking>, bool> done, string what, bool answered = true)
    {
        List<Booking> bookings = [];
        await EventuallyAsync(async () =>
        {
            bookings = (await cluster.HqAdmin.GetFromJsonAsync<List<Booking>>($"api/v1/resources/{resource}/bookings"))!;
            return (!answered || bookings.All(b => b.Status != "pending")) && done(bookings);
        }, what);
        return bookings;
    }

    /// <summary>The resource's iMIP REPLY about <paramref name="uid"/>, as it arrived in the organiser's mailbox on their home server.</summary>
    private static async Task<ReplyOf> ReplyAsync(TestNode home, string organiser, string resource, string uid, int sequence = 0, string? partStat = null)
    {
        ReplyOf? found = null;
        await MailTestExtensions.WaitUntilAsync(() =>
        {
            found = RepliesIn(home, organiser, resource).LastOrDefault(r => r.Uid == uid && r.Sequence == sequence && (partStat is null || r.PartStat == partStat));
            return found is not null;
        }, $"{organiser} has {resource}'s answer to {uid} (sequence {sequence}{(partStat is null ? string.Empty : ", " + partStat)}) on {home.Name}", TimeSpan.FromSeconds(30));
        return found!;
    }

    private static IEnumerable<ReplyOf> RepliesIn(TestNode home, string organiser, string resource)
    {
        foreach (var message in MessagesIn(home, organiser).Where(m => m.From.Mailboxes.Any(f => f.Address == resource)))
        {
            var part = message.BodyParts.OfType<TextPart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "calendar"));
            if (part is null || part.ContentType.Parameters["method"] != "REPLY")
            {
                continue;
            }

            var vevent = IcalCalendar.Load(part.Text)!.Events.Single();
            var attendee = vevent.Attendees.Single();
            Assert.Equal($"mailto:{resource}", attendee.Value?.ToString(), ignoreCase: true);
            yield return new ReplyOf(vevent.Uid!, vevent.Sequence, attendee.ParticipationStatus ?? string.Empty, string.Join(" ", vevent.Comments ?? []), message.TextBody ?? string.Empty);
        }
    }

    private static async Task<MimeMessage> MessageAsync(TestNode home, string user, Func<MimeMessage, bool> match, string what)
    {
        MimeMessage? found = null;
        await MailTestExtensions.WaitUntilAsync(() => (found = MessagesIn(home, user).FirstOrDefault(match)) is not null, what, TimeSpan.FromSeconds(30));
        return found!;
    }

    private static List<MimeMessage> MessagesIn(TestNode home, string user)
    {
        var maildir = MigrateHereTests.MaildirOf(home, user);
        return [.. new[] { "new", "cur" }.Select(f => Path.Combine(maildir, f)).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .Order(StringComparer.Ordinal)
            .Select(f => MimeMessage.Load(f))];
    }

    private static Task<List<string>> BusyLinesAsync(TestNode node, string address) =>
        FreeBusyLinesAsync(node, address, $"start={Iso(Monday)}&days=21", Basic(Alice));

    private static string Normalise(string partStat) => partStat.ToUpperInvariant();

    private static DateTimeOffset At(int day, double hour) => Monday.AddDays(day).AddHours(hour);

    private static string Period(int day, double from, double to) => $"{Utc(At(day, from))}/{Utc(At(day, to))}";

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Booking(string Uid, string? Summary, string? Organizer, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, bool Recurring, string Status);

    private sealed record ReplyOf(string Uid, int Sequence, string PartStat, string Comment, string Text);
}
