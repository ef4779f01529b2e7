using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Scheduling;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

/// <summary>
/// The meeting planner on a real node: people picked from the Global Address List, their busy
/// time on the grid, the first free slot skipping it, and the invitation delivered into the
/// attendees' calendars, as <c>GET /freebusy</c> and the grid then show.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MeetingPlannerTests(BrowserFixture browser, NodeFixture shared) : IClassFixture<NodeFixture>, IAsyncLifetime
{
    private const string Ann = "ann@planner.test";
    private const string Bob = "bob@planner.test";
    private const string Carol = "carol@planner.test";
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private TestNode Node => shared.Node;

    public async Task InitializeAsync()
    {
        using var admin = await Node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "planner.test" })).StatusCode);
        foreach (var (address, name) in new[] { (Ann, "Ann Novak"), (Bob, "Bob Smith"), (Carol, "Carol Jones") })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/users", new { address, name, password = "User-Password-1" })).StatusCode);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PlanAMeeting_SkipsTheBusyBlock_AndTheInvitationLandsInTheAttendeesCalendars()
    {
        // Ann organises a two-hour meeting with Carol over the first working hours to come: she is busy then.
        var window = FreeBusyRange.Create(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(28));
        var office = WorkingHours.Office(TimeZoneInfo.Utc);
        var busyStart = FreeSlotFinder.FindFirst([], Hour, window, office)!.Value;
        var busy = new BusyPeriod(busyStart, busyStart.AddHours(2), BusyKind.Busy);
        await Node.Services.GetRequiredService<MeetingPlanner>().SendAsync(
            new Actor(new AdminPrincipal("local:admin", "admin", AdminRole.ServerReadWrite, null), "127.0.0.1"),
            new MeetingRequest(Ann, [new MeetingAttendee(Carol)], busy.Start, busy.End - busy.Start, "Quarterly numbers"),
            CancellationToken.None);
        var expected = FreeSlotFinder.FindFirst([busy], Hour, window, office)!.Value;

        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, Node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByTestId("nav-planner").ClickAsync();
        await Assertions.Expect(page.GetByTestId("planner-empty")).ToContainTextAsync("Add people or resources from the Global Address List");

        await PickAsync(page, "planner-add", "Ann", Ann);
        await Assertions.Expect(page.GetByTestId("planner-chip")).ToHaveCountAsync(1);
        await PickAsync(page, "planner-add", "Bob", Bob);
        await Assertions.Expect(page.GetByTestId("planner-chip")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("planner-row")).ToHaveCountAsync(2);

        await page.GetByTestId("planner-find").ClickAsync();
        await Assertions.Expect(page.GetByTestId("planner-slot")).ToContainTextAsync($"Everyone is free {SlotText(expected)}");
        var annRow = page.Locator($"[data-testid=planner-row][data-address='{Ann}']");
        await Assertions.Expect(annRow.Locator("[data-testid=planner-busy][data-kind=Busy]")).ToHaveCountAsync(1);

        await PickAsync(page, "planner-organizer", "Carol", Carol);
        await page.Locator("[data-testid=planner-subject] input, input[data-testid=planner-subject]").FillAsync("Budget review");
        await page.Locator("[data-testid=planner-location] input, input[data-testid=planner-location]").FillAsync("Room 4.12");
        await page.GetByTestId("planner-send").ClickAsync();
        await Assertions.Expect(page.GetByText($"Invitation sent to {Ann}, {Bob}.")).ToBeVisibleAsync();

        // Delivered into Bob's calendar on his home server: tentative until he answers.
        var tentative = $"FREEBUSY;FBTYPE=BUSY-TENTATIVE:{Utc(expected)}/{Utc(expected + Hour)}";
        using var admin = await Node.SignedInClientAsync();
        await WaitForFreeBusyAsync(admin, Bob, expected, tentative);
        await WaitForFreeBusyAsync(admin, Ann, expected, tentative);

        await page.GetByTestId("planner-refresh").ClickAsync();
        var bobRow = page.Locator($"[data-testid=planner-row][data-address='{Bob}']");
        await Assertions.Expect(bobRow.Locator("[data-testid=planner-busy][data-kind=Tentative]")).ToHaveCountAsync(1);
    }

    /// <summary>Types into an address-list box and picks the entry with <paramref name="address"/> from what it offers.</summary>
    private static async Task PickAsync(IPage page, string testId, string text, string address)
    {
        var input = page.Locator($"[data-testid={testId}] input, input[data-testid={testId}]");
        await input.ClickAsync();
        await input.FillAsync(text);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = address }).ClickAsync();
    }

    private static async Task WaitForFreeBusyAsync(HttpClient admin, string address, DateTimeOffset day, string line)
    {
        var url = $"freebusy/{address}?start={day.UtcDateTime.Date:yyyy-MM-dd}&days=1";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string text;
        do
        {
            text = await admin.GetStringAsync(url);
            if (text.Contains(line, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"The free/busy of {address} does not show the meeting ({line}) within 20 s:\n{text}");
    }

    private static string SlotText(DateTimeOffset start) =>
        string.Create(CultureInfo.InvariantCulture, $"{start.UtcDateTime:dddd d MMMM yyyy, HH:mm}–{start.UtcDateTime + Hour:HH:mm} (UTC)");

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
