using AngleSharp.Dom;
using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Scheduling;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The Resources page against the real Core (a real SQLite database, the real booking engine
/// and mail queue): the list, adding through the dialog with its refusals, and a booking
/// cancelled from the page, its organiser answered by mail.
/// </summary>
public sealed class ResourcesPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private readonly ConsoleCore _core;
    private IRenderedComponent<MudDialogProvider>? _dialogs;

    public ResourcesPageTests()
    {
        _core = ConsoleCore.Add(_context, "hq");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_ListsResourcesByName_WithTheirCapacityAndBookingPolicy_AndAnEmptyDomainSaysHowToStart()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Contains("people book a resource by inviting its address", page.Find("[data-testid=resources-empty]").TextContent, StringComparison.Ordinal), Patience);

        var service = _core.Get<ResourceService>();
        await service.CreateAsync(Actor.System, "company.com", new ResourceInput("projector", "Projector", ResourceType.Equipment, null, "Store room", null, BookingPolicy.ManagerApproval, "facilities@company.com"), CancellationToken.None);
        await service.CreateAsync(Actor.System, "company.com", new ResourceInput("board", "Board room", ResourceType.Room, 12, "2nd floor", null, BookingPolicy.AutoAccept, null), CancellationToken.None);
        page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(2, Rows(page, "resources-table").Count), Patience);
        var rows = Rows(page, "resources-table");
        Assert.Equal(["Board room", "board@company.com", "12 seats", "2nd floor", "Accepted when free", "hq"], rows[0].Take(6));
        Assert.Equal(["Projector", "projector@company.com", "—", "Store room", "Approved by facilities@company.com", "hq"], rows[1].Take(6));
    }

    [Fact]
    public async Task AddResource_ThroughTheDialog_IsListed_AndARefusalStaysInTheDialog()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await _core.Get<UserService>().CreateLocalAsync(Actor.System, "ann@company.com", "Ann", "User-Password-1", CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=resources-empty]"), Patience);

        // The address is Ann's: refused, and the dialog says so.
        await OpenAddDialogAsync(page, "ann", "Ann's room");
        await _dialogs!.WaitForAssertionAsync(() => Assert.Contains("already an address", _dialogs!.Find("[data-testid=resource-error]").TextContent, StringComparison.Ordinal), Patience);

        await _dialogs!.Find("[data-testid=resource-address]").ChangeAsync(new() { Value = "room-201" });
        await _dialogs!.Find("[data-testid=resource-save]").ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Equal("room-201@company.com", Assert.Single(Rows(page, "resources-table"))[1]), Patience);
        Assert.Empty(_dialogs!.FindAll("[data-testid=resource-save]"));
    }

    [Fact]
    public async Task ABookingCancelledOnThePage_IsDeclined_AndItsOrganiserIsAnsweredByMail()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await _core.Get<ResourceService>().CreateAsync(Actor.System, "company.com", new ResourceInput("board", "Board room", ResourceType.Room, 12, null, null, BookingPolicy.AutoAccept, null), CancellationToken.None);
        var start = DateTimeOffset.UtcNow.Date.AddDays(3).AddHours(10);
        var meeting = Imip.Meeting($"budget-{Guid.NewGuid():N}", "bob@example.org", ["board@company.com"], start, TimeSpan.FromHours(1));
        meeting.Summary = "Budget review";
        using var stream = new MemoryStream();
        await Imip.Message("bob@example.org", ["board@company.com"], "REQUEST", Imip.Calendar("REQUEST", meeting)).WriteToAsync(stream);
        stream.Position = 0;
        var itip = (await ItipReader.ReadAsync(stream, CancellationToken.None))!;
        var decisions = await _core.Get<CalendarBook>().BookAsync("board@company.com", itip, BookingPolicy.AutoAccept, CancellationToken.None);
        Assert.Equal("ACCEPTED", Assert.Single(decisions).Participation);

        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "resources-table")), Patience);
        await page.Find("[data-testid=resources-table] tbody tr.mud-table-row").ClickAsync(new());
        await page.WaitForAssertionAsync(() => Assert.Equal("Accepted", page.Find("[data-testid=booking-status]").TextContent.Trim()), Patience);
        Assert.Contains("Budget review", page.Find("[data-testid=bookings-table]").TextContent, StringComparison.Ordinal);

        // Not awaited: the handler waits for the dialog below.
        page.Find("[data-testid=booking-cancel]").Click();
        await _dialogs!.WaitForAssertionAsync(() => _dialogs!.Find("[data-testid=booking-reason]"), Patience);
        await _dialogs!.Find("[data-testid=booking-reason]").ChangeAsync(new() { Value = "Renovation" });
        await _dialogs!.Find("[data-testid=booking-reason-confirm]").ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Equal("Declined", page.Find("[data-testid=booking-status]").TextContent.Trim()), Patience);
        var reply = Assert.Single(_core.Get<MailQueue>().List(), m => m.Sender == "board@company.com");
        Assert.Equal("bob@example.org", Assert.Single(reply.Recipients).Address);
    }

    [Fact]
    public async Task AReadOnlyAdministrator_SeesResourcesAndBookings_ButNoButtonsThatChangeThem()
    {
        await SetUpAsync(AdminRole.ServerReadOnly);
        await _core.Get<ResourceService>().CreateAsync(Actor.System, "company.com", new ResourceInput("board", "Board room", ResourceType.Room, null, null, null, BookingPolicy.AutoAccept, null), CancellationToken.None);

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "resources-table")), Patience);
        Assert.Empty(page.FindAll("[data-testid=add-resource]"));
        Assert.Empty(page.FindAll("[data-testid=edit-resource]"));
        Assert.Empty(page.FindAll("[data-testid=delete-resource]"));
        await page.Find("[data-testid=resources-table] tbody tr.mud-table-row").ClickAsync(new());
        await page.WaitForAssertionAsync(() => Assert.Contains("No bookings to come", page.Find("[data-testid=bookings-empty]").TextContent, StringComparison.Ordinal), Patience);
    }

    private async Task OpenAddDialogAsync(IRenderedComponent<Resources> page, string address, string name)
    {
        page.Find("[data-testid=add-resource]").Click();
        await _dialogs!.WaitForAssertionAsync(() => _dialogs!.Find("[data-testid=resource-address]"), Patience);
        await _dialogs!.Find("[data-testid=resource-address]").ChangeAsync(new() { Value = address });
        await _dialogs!.Find("[data-testid=resource-name]").ChangeAsync(new() { Value = name });
        await _dialogs!.Find("[data-testid=resource-save]").ClickAsync(new());
    }

    private async Task SetUpAsync(AdminRole role)
    {
        _context.SignIn("someone", role, null);
        await _core.MigrateAsync();

        // The queue answers are written to; the node's host opens it at start.
        await _core.Get<MailQueue>().StartAsync(CancellationToken.None);
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
    }

    private IRenderedComponent<Resources> RenderPage()
    {
        if (_dialogs is null)
        {
            _context.Render<MudPopoverProvider>();
            _dialogs = _context.Render<MudDialogProvider>();
        }

        return _context.Render<Resources>();
    }

    private static List<List<string>> Rows(IRenderedComponent<Resources> page, string table) =>
        [.. page.FindAll($"[data-testid={table}] tbody tr.mud-table-row").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList())];
}
