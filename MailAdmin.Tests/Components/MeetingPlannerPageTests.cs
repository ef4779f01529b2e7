using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Scheduling;
using MailAdmin.Core.Storage;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MeetingPlannerPage = MailAdmin.Web.Components.Pages.MeetingPlanner;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The meeting planner page against the real Core (GAL, free/busy from the node's calendars on a
/// real SQLite database): the empty state, one row per attendee with their busy time, a row that
/// says why an attendee's time is unknown, and the first free slot proposed.
/// </summary>
public sealed class MeetingPlannerPageTests : IAsyncLifetime
{
    private const string Ann = "ann@company.com";
    private const string Bob = "bob@company.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A Monday at least a week ahead, 00:00 UTC.</summary>
    private static readonly DateTimeOffset Monday = NextMonday();

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore? _core;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_core is null)
        {
            await _context.DisposeAsync();
        }
        else
        {
            await _core.DisposeAsync();
        }
    }

    [Fact]
    public async Task Render_NobodyPicked_SaysToAddPeopleFromTheAddressList()
    {
        await StartAsync();

        var page = _context.Render<MeetingPlannerPage>();

        page.WaitForAssertion(() => Assert.Equal(MeetingPlannerPage.EmptyText, page.Find("[data-testid=planner-empty]").TextContent.Trim()), Patience);
        Assert.Empty(page.FindAll("[data-testid=planner-grid]"));
    }

    [Fact]
    public async Task AddAttendees_ShowsARowForEach_WithTheirBusyAndTentativeTime()
    {
        await StartAsync();
        await BusyAsync(Ann, Monday.AddHours(8), TimeSpan.FromHours(2), organizer: true);
        await BusyAsync(Bob, Monday.AddHours(13), TimeSpan.FromHours(1), organizer: false);
        var page = await RenderOnMondayAsync();

        await AddAsync(page, Ann, "Ann Novak");
        await AddAsync(page, Bob, "Bob Smith");

        page.WaitForAssertion(() => Assert.Equal([Ann, Bob], page.FindAll("[data-testid=planner-row]").Select(r => r.GetAttribute("data-address"))), Patience);
        var ann = page.Find($"[data-testid=planner-row][data-address='{Ann}']");
        var annBusy = Assert.Single(ann.QuerySelectorAll("[data-testid=planner-busy]"));
        Assert.Equal(nameof(BusyKind.Busy), annBusy.GetAttribute("data-kind"));
        Assert.Equal("Busy Mon 08:00–Mon 10:00", annBusy.GetAttribute("title"));

        // 08:00 of a 24-hour day is a third of the way along the row.
        Assert.Contains("left: 33.333%", annBusy.GetAttribute("style"), StringComparison.Ordinal);
        var bobBusy = Assert.Single(page.Find($"[data-testid=planner-row][data-address='{Bob}']").QuerySelectorAll("[data-testid=planner-busy]"));
        Assert.Equal(nameof(BusyKind.Tentative), bobBusy.GetAttribute("data-kind"));
        Assert.Equal(2, page.FindAll("[data-testid=planner-chip]").Count);
    }

    [Fact]
    public async Task AnAttendeeWithoutACalendar_IsAnUnknownRow_AndTheOthersStillShow()
    {
        await StartAsync();
        await BusyAsync(Ann, Monday.AddHours(8), TimeSpan.FromHours(2), organizer: true);
        var page = await RenderOnMondayAsync();

        await AddAsync(page, Ann, "Ann Novak");
        await AddAsync(page, "gone@company.com", "Gone Away");

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=planner-row]").Count), Patience);
        Assert.Single(page.Find($"[data-testid=planner-row][data-address='{Ann}']").QuerySelectorAll("[data-testid=planner-busy]"));
        var unknown = page.Find("[data-testid=planner-row][data-address='gone@company.com'] [data-testid=planner-unknown]");
        Assert.StartsWith("unknown — gone@company.com is not a user of this domain", unknown.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=planner-error]"));
    }

    [Fact]
    public async Task FindFirstFreeSlot_SkipsEveryonesBusyTime_AndProposesTheSlot()
    {
        await StartAsync();
        await BusyAsync(Ann, Monday.AddHours(8), TimeSpan.FromHours(2), organizer: true);
        await BusyAsync(Bob, Monday.AddHours(10), TimeSpan.FromMinutes(30), organizer: false);
        var page = await RenderOnMondayAsync();
        await AddAsync(page, Ann, "Ann Novak");
        await AddAsync(page, Bob, "Bob Smith");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=planner-busy]").Count), Patience);

        await page.Find("button[data-testid=planner-find]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains($"Everyone is free {Monday:dddd d MMMM yyyy}, 10:30–11:30 (UTC)", page.Find("[data-testid=planner-slot]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal(2, page.FindAll(".planner-slot[style]").Count);
    }

    [Fact]
    public async Task AnAttendeeWhoseHomeServerIsDown_IsAGreyRowNamingTheServer_AndTheSlotWarnsAboutThem()
    {
        await StartAsync(distributed: true);
        await SetHomeServerAsync(Bob, "ny");
        await BusyAsync(Ann, Monday.AddHours(8), TimeSpan.FromHours(2), organizer: true);
        var page = await RenderOnMondayAsync();

        await AddAsync(page, Ann, "Ann Novak");
        await AddAsync(page, Bob, "Bob Smith");

        page.WaitForAssertion(() => Assert.Equal("unknown — ny is unreachable", page.Find($"[data-testid=planner-row][data-address='{Bob}'] [data-testid=planner-unknown]").TextContent.Trim()), Patience);
        Assert.Single(page.Find($"[data-testid=planner-row][data-address='{Ann}']").QuerySelectorAll("[data-testid=planner-busy]"));
        Assert.Contains("cannot answer now", page.FindComponent<MudTooltip>().Instance.Text, StringComparison.Ordinal);

        await page.Find("button[data-testid=planner-find]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("10:00–11:00", page.Find("[data-testid=planner-slot]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal($"Free/busy of {Bob} is unknown: they may be busy then.", page.Find("[data-testid=planner-slot-note]").TextContent.Trim());
    }

    private async Task StartAsync(bool distributed = false)
    {
        _core = ConsoleCore.Add(_context, "hq");
        if (distributed)
        {
            // This node is the master of a distributed domain whose other server, ny, it cannot reach.
            _context.Services.AddSingleton<IClusterTopology>(new LoneMaster());
        }

        _context.SignIn("admin", AdminRole.ServerReadWrite, null);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        var users = _core.Get<UserService>();
        await users.CreateLocalAsync(Actor.System, Ann, "Ann Novak", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, Bob, "Bob Smith", "User-Password-1", CancellationToken.None);
    }

    /// <summary>Puts a meeting in <paramref name="owner"/>'s calendar as an invitation received (tentative) or one they organise (busy).</summary>
    private async Task BusyAsync(string owner, DateTimeOffset start, TimeSpan length, bool organizer)
    {
        var meeting = Imip.Meeting($"seed-{Guid.NewGuid():N}", organizer ? owner : "someone@company.com", organizer ? ["other@company.com"] : [owner], start, length);
        var itip = ItipReader.Parse(Imip.Calendar("REQUEST", meeting))!;
        await _core!.Get<CalendarBook>().ApplyAsync(owner, address => address == owner, itip, sentByOwner: organizer, CancellationToken.None);
    }

    private async Task SetHomeServerAsync(string address, string homeServer)
    {
        await using var db = await _core!.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        var localPart = address[..address.IndexOf('@', StringComparison.Ordinal)];
        Assert.Equal(1, await db.Users.Where(u => u.LocalPart == localPart).ExecuteUpdateAsync(u => u.SetProperty(x => x.HomeServer, homeServer)));
    }

    private async Task<IRenderedComponent<MeetingPlannerPage>> RenderOnMondayAsync()
    {
        var page = _context.Render<MeetingPlannerPage>();
        page.WaitForElement("[data-testid=planner-empty]", Patience);
        await page.InvokeAsync(() => page.FindComponent<MudDatePicker>().Instance.DateChanged.InvokeAsync(Monday.UtcDateTime.Date));
        return page;
    }

    /// <summary>What picking an entry in the "Add people or resources" box does.</summary>
    private static Task AddAsync(IRenderedComponent<MeetingPlannerPage> page, string address, string name) =>
        page.InvokeAsync(() => page.FindComponents<MudAutocomplete<GalEntry>>()[0].Instance.ValueChanged.InvokeAsync(
            new GalEntry(address, name, GalKinds.User, null, null, null, null, "hq")));

    private static DateTimeOffset NextMonday()
    {
        var day = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(7);
        while (day.DayOfWeek != DayOfWeek.Monday)
        {
            day = day.AddDays(1);
        }

        return new DateTimeOffset(day, TimeSpan.Zero);
    }

    /// <summary>A master with no peer it knows of: every other home server is unreachable.</summary>
    private sealed class LoneMaster : IClusterTopology
    {
        public event EventHandler<PeerEventArgs>? PeerReturned
        {
            add { }
            remove { }
        }

        public NodeRole Role => NodeRole.Master;

        public string? MasterName => "hq";

        public IReadOnlyList<PeerNode> Peers => [];

        public PeerNode? FindPeer(string nodeName) => null;
    }
}
