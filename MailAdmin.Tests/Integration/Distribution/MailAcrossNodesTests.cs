using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Tests.Integration.Scheduling;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>
/// Mail in a distributed domain of three real nodes (manual 4.1, 4.3, chapter 11): the master
/// forwards to each home server, slaves deliver to each other directly and send external mail
/// through the master, and an office that is down gets its mail as soon as it is back.
/// Alice and Eva live on hq (Prague), Bob and Dan on ny, Carol on sea.
/// </summary>
public sealed class MailAcrossNodesTests : IAsyncLifetime
{
    private const string Alice = "alice.novak@company.com";
    private const string Bob = "bob.smith@company.com";
    private const string Carol = "carol.jones@company.com";

    private readonly SlapdFixture _slapd = new();
    private SmtpSink _internet = default!;
    private TestNode _hq = default!;
    private TestNode _ny = default!;
    private TestNode _sea = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _internet = SmtpSink.Start();
        _hq = await TestNode.StartAsync("hq", [.. NodeArgs, $"--Smtp:RelayHost=127.0.0.1:{_internet.Port}"]);
        _ny = await TestNode.StartAsync("ny", NodeArgs);
        _sea = await TestNode.StartAsync("sea", NodeArgs);
        using var hqAdmin = await _hq.SignedInClientAsync();
        using var nyAdmin = await _ny.SignedInClientAsync();
        using var seaAdmin = await _sea.SignedInClientAsync();
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(&(!(l=New York))(!(l=Seattle)))");
        await SyncAsync(hqAdmin);
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await SetDirectoryAsync(seaAdmin, _slapd, placementFilter: "(l=Seattle)");
        await SyncAsync(seaAdmin);
        await ConnectOkAsync(nyAdmin, _hq);
        await ConnectOkAsync(seaAdmin, _hq);
        foreach (var admin in new[] { hqAdmin, nyAdmin, seaAdmin })
        {
            await EventuallyAsync(async () =>
            {
                var homes = await HomesAsync(admin);
                return homes.GetValueOrDefault("bob.smith@company.com") == "ny" && homes.GetValueOrDefault("carol.jones@company.com") == "sea"
                    && homes.GetValueOrDefault("alice.novak@company.com") == "hq";
            }, "every node knows every home");
        }
    }

    public async Task DisposeAsync()
    {
        await _sea.DisposeAsync();
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
        await _internet.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task MailFromTheInternet_IntoTheMaster_ReachesEachRecipientsHomeServer_ExactlyOnce()
    {
        await SendAsync(_hq, "partner@example.org", "alice.novak@company.com", "bob.smith@company.com", "carol.jones@company.com");

        Assert.Single(await _hq.WaitForInboxAsync("alice.novak@company.com", 1));
        Assert.Single(await _ny.WaitForInboxAsync("bob.smith@company.com", 1));
        Assert.Single(await _sea.WaitForInboxAsync("carol.jones@company.com", 1));
        Assert.Empty(_hq.Inbox("bob.smith@company.com"));
        Assert.Empty(_hq.Inbox("carol.jones@company.com"));
        await Task.Delay(500);
        Assert.Single(_ny.Inbox("bob.smith@company.com"));
        Assert.Single(_sea.Inbox("carol.jones@company.com"));
    }

    [Fact]
    public async Task MailBetweenSlaves_GoesDirectly_AndExternalMailLeavesThroughTheMaster()
    {
        await _ny.EnqueueAsync("bob.smith@company.com", ["carol.jones@company.com", "partner@example.org"], subject: "Direct");

        var delivered = Assert.Single(await _sea.WaitForInboxAsync("carol.jones@company.com", 1));
        var text = await File.ReadAllTextAsync(delivered);
        Assert.Contains("Subject: Direct", text, StringComparison.Ordinal);
        Assert.Contains("peer node ny", text, StringComparison.Ordinal);
        Assert.DoesNotContain("peer node hq", text, StringComparison.Ordinal);

        // Only the master knows the relay host: what reaches it went through the master.
        await MailTestExtensions.WaitUntilAsync(() => _internet.Messages.Any(m => m.Recipients.Contains("partner@example.org")), "the master sends the external copy out");
        Assert.Contains("peer node ny", _internet.Messages.Single(m => m.Recipients.Contains("partner@example.org")).Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlaveDown_ItsMailWaitsOnTheMaster_AndArrivesExactlyOnceWithinSecondsOfItsReturn()
    {
        await _ny.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            await SendWithSubjectAsync(_hq, "partner@example.org", $"Order {i}", "bob.smith@company.com");
        }

        await MailTestExtensions.WaitUntilAsync(
            () => _hq.Queue().List().Count(m => m.Recipients.Any(r => r.Address == "bob.smith@company.com" && r.Attempts > 0)) == 20,
            "the master has tried and queued all 20");
        await SendAsync(_hq, "partner@example.org", "alice.novak@company.com");
        Assert.Single(await _hq.WaitForInboxAsync("alice.novak@company.com", 1));

        var started = DateTime.UtcNow;
        await _ny.StartAsync();
        var inbox = await _ny.WaitForInboxAsync("bob.smith@company.com", 20, TimeSpan.FromSeconds(30));

        Assert.Equal(20, inbox.Length);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), $"delivered {(DateTime.UtcNow - started).TotalSeconds:F1} s after the restart");
        var subjects = inbox.Select(f => File.ReadAllLines(f).First(l => l.StartsWith("Subject:", StringComparison.Ordinal))).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"Subject: Order {i}").Order(), subjects);
        await Task.Delay(1000);
        Assert.Equal(20, _ny.Inbox("bob.smith@company.com").Length);
    }

    [Fact]
    public async Task MasterDown_SlavesStillDeliverToEachOther_AndExternalMailWaitsForIt()
    {
        await _hq.StopAsync();

        await _ny.EnqueueAsync("bob.smith@company.com", ["carol.jones@company.com", "partner@example.org"], subject: "While HQ sleeps");

        Assert.Single(await _sea.WaitForInboxAsync("carol.jones@company.com", 1));
        await MailTestExtensions.WaitUntilAsync(
            () => _ny.Queue().List().Any(m => m.Recipients.Any(r => r.Address == "partner@example.org" && r.Attempts > 0)),
            "the external copy waits on ny");
        Assert.Empty(_internet.Messages);

        await _hq.StartAsync();
        await MailTestExtensions.WaitUntilAsync(() => _internet.Messages.Any(m => m.Recipients.Contains("partner@example.org")), "the external copy leaves once the master is back", TimeSpan.FromSeconds(20));
    }

    private static async Task SendAsync(TestNode node, string from, params string[] to) => await SendWithSubjectAsync(node, from, "Plans", to);

    /// <summary>
    /// Common groups (manual, chapter 1): a directory group is one group on every server. staff@
    /// holds the sales and engineering groups and John: seven people on three servers.
    /// </summary>
    [Fact]
    public async Task MailToADirectoryGroup_ReachesEveryMemberOnTheirHomeServer_AndADirectoryChangeCountsEverywhereAfterTheNextSync()
    {
        (TestNode Node, string User)[] staff =
        [
            (_hq, "alice.novak"), (_hq, "zoe.dvorak"), (_ny, "bob.smith"), (_ny, "dan.brown"), (_ny, "john.smith"), (_sea, "carol.jones"), (_sea, "frank.wu"),
        ];
        await SendWithSubjectAsync(_hq, "partner@example.org", "To all staff", "staff@company.com");

        foreach (var (node, user) in staff)
        {
            Assert.Single(await node.WaitForInboxAsync($"{user}@company.com", 1));
        }

        Assert.Empty(_hq.Inbox("eva.green@company.com"));

        // Eva joins sales and Dan leaves it, in the directory; each server syncs.
        await _slapd.AddLdifAsync("""
            dn: cn=sales,ou=Groups,dc=company,dc=com
            changetype: modify
            add: member
            member: uid=eva,ou=People,dc=company,dc=com
            -
            delete: member
            member: uid=dan,ou=People,dc=company,dc=com
            -

            """);
        foreach (var node in new[] { _hq, _ny, _sea })
        {
            using var admin = await node.SignedInClientAsync();
            await SyncAsync(admin);
        }

        // Sent on ny this time: every server expands the group the same way.
        await _ny.EnqueueAsync("bob.smith@company.com", ["staff@company.com"], subject: "Staff again");

        Assert.Single(await _hq.WaitForInboxAsync("eva.green@company.com", 1));
        foreach (var (node, user) in staff.Where(s => s.User != "dan.brown"))
        {
            Assert.Equal(2, (await node.WaitForInboxAsync($"{user}@company.com", 2)).Length);
        }

        Assert.Single(_ny.Inbox("dan.brown@company.com"));
    }

    [Fact]
    public async Task AnInvitationAcrossThreeServers_BooksARoomOnSea_AndEveryServerAnswersTheSameAddressListAndFreeBusy()
    {
        using var seaAdmin = await _sea.SignedInClientAsync();
        var created = await seaAdmin.PostAsJsonAsync("api/v1/resources?domain=company.com", new { address = "west-room", name = "West room", type = "room", capacity = 6, location = "Seattle" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        const string Room = "west-room@company.com";

        // Alice on hq invites Bob (ny), Carol (sea) and sea's room.
        var start = SchedulingSteps.NextMonday().AddDays(2).AddHours(15);
        var meeting = Imip.Meeting($"three-{Guid.NewGuid():N}", Alice, [Bob, Carol, Room], start, TimeSpan.FromHours(1));
        await EventuallyAsync(async () => (await GalAsync(_hq)).Contains($"{Room} resource sea"), "hq has sea's room before Alice invites it");
        await SchedulingSteps.SubmitAsync(_hq, Alice, Imip.Message(Alice, [Bob, Carol, Room], "REQUEST", Imip.Calendar("REQUEST", meeting)));

        var slot = $"{Utc(start)}/{Utc(start.AddHours(1))}";
        var expected = new Dictionary<string, string[]>
        {
            [Alice] = [$"BUSY {slot}"],
            [Bob] = [$"BUSY-TENTATIVE {slot}"],
            [Carol] = [$"BUSY-TENTATIVE {slot}"],
            [Room] = [$"BUSY {slot}"],
        };
        var query = $"start={start.UtcDateTime.Date:yyyy-MM-dd}&days=7";
        foreach (var node in new[] { _hq, _ny, _sea })
        {
            foreach (var (address, lines) in expected)
            {
                await EventuallyAsync(
                    async () => (await SchedulingSteps.FreeBusyLinesAsync(node, address, query, SchedulingSteps.Basic(Carol))).SequenceEqual(lines),
                    $"{node.Name} answers the free/busy of {address} as [{string.Join(", ", lines)}]");
            }
        }

        // The same Global Address List on all three: users, groups, lists and the room, each with its home server.
        var lists = new[] { await GalAsync(_hq), await GalAsync(_ny), await GalAsync(_sea) };
        Assert.Contains($"{Room} resource sea", lists[0]);
        Assert.Contains($"{Bob} user ny", lists[0]);
        Assert.Equal(lists[0], lists[1]);
        Assert.Equal(lists[0], lists[2]);
    }

    private static async Task<List<string>> GalAsync(TestNode node)
    {
        using var admin = await node.SignedInClientAsync();
        var page = await admin.GetFromJsonAsync<JsonElement>("api/v1/gal?domain=company.com&pageSize=500");
        return [.. page.GetProperty("items").EnumerateArray().Select(e => $"{e.GetProperty("address").GetString()} {e.GetProperty("kind").GetString()} {e.GetProperty("homeServer").GetString()}")];
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task SendWithSubjectAsync(TestNode node, string from, string subject, params string[] to)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", node.Services.GetRequiredService<SmtpEndpoints>().Incoming.Port, SecureSocketOptions.None);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var address in to)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "See you." };
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
