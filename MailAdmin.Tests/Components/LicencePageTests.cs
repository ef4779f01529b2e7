using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Layout;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The licence as the console shows it (manual, chapter 3): the Licence page, the app bar's
/// "used / seats", the Dashboard's line and the menu, against the real Core services, with the
/// seats from <c>Licence:Seats</c> and local users created through Core.
/// </summary>
public sealed class LicencePageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

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
    public async Task Render_NoLicence_ShowsUnlimitedAndHowToSetOne()
    {
        await StartAsync(seats: null, users: 1);

        var page = RenderPage();

        Assert.Equal("Unlimited", Text(page, "licence-seats"));
        Assert.Equal("1", Text(page, "licence-used"));
        Assert.StartsWith("None", Text(page, "licence-source"), StringComparison.Ordinal);
        var howTo = Text(page, "licence-howto");
        Assert.Contains(Path.Combine(_core!.DataDir, "licence.json"), howTo, StringComparison.Ordinal);
        Assert.Contains("{\"seats\": 50, \"licensee\": \"Your Company\"}", howTo, StringComparison.Ordinal);
        Assert.Contains("--Licence:Seats=50", howTo, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=licence-alert]"));
        Assert.Empty(page.FindAll("[data-testid=licence-progress]"));
    }

    [Fact]
    public async Task Render_OneUserOfTwoSeats_ShowsOneFreeWithoutAnAlert()
    {
        await StartAsync(seats: 2, users: 1);

        var page = RenderPage();

        Assert.Equal("2", Text(page, "licence-seats"));
        Assert.Equal("1", Text(page, "licence-used"));
        Assert.Equal("1", Text(page, "licence-free"));
        Assert.Equal("The Licence:Seats setting", Text(page, "licence-source"));
        Assert.Empty(page.FindAll("[data-testid=licence-alert]"));
        Assert.Empty(page.FindAll("[data-testid=licence-beyond]"));
        Assert.Empty(page.FindAll("[data-testid=licence-howto]"));
        Assert.Contains("mud-progress-linear-color-primary", page.Find("[data-testid=licence-progress]").ClassName, StringComparison.Ordinal);
        Assert.Contains("not limited", Text(page, "licence-rule"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_NineUsersOfTenSeats_WarnsBeforeTheLicenceIsFull()
    {
        await StartAsync(seats: 10, users: 9);

        var page = RenderPage();

        var alert = page.Find("[data-testid=licence-alert]");
        Assert.Contains("nearly full", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("mud-alert-text-warning", alert.ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-progress-linear-color-warning", page.Find("[data-testid=licence-progress]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_TwoUsersOfTwoSeats_SaysTheLicenceIsFullAndMigrateHereIsRefused()
    {
        await StartAsync(seats: 2, users: 2);

        var page = RenderPage();

        var alert = page.Find("[data-testid=licence-alert]");
        Assert.Contains("The licence is full", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("Migrate Here into this server is refused", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("mud-alert-text-error", alert.ClassName, StringComparison.Ordinal);
        Assert.Equal("0", Text(page, "licence-free"));
        Assert.Empty(page.FindAll("[data-testid=licence-beyond]"));
        Assert.Contains("mud-progress-linear-color-error", page.Find("[data-testid=licence-progress]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ThreeUsersOfTwoSeats_NamesTheMostRecentlyAddedUserAsUnableToSignIn()
    {
        await StartAsync(seats: 2, users: 3);

        var page = RenderPage();

        var alert = page.Find("[data-testid=licence-alert]");
        Assert.Contains("1 user cannot sign in", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("mud-alert-text-error", alert.ClassName, StringComparison.Ordinal);
        var beyond = page.FindAll("[data-testid=licence-beyond] tbody tr");
        Assert.Equal("user3@company.com", Assert.Single(beyond).TextContent.Trim());
    }

    [Fact]
    public async Task AppBar_ThreeUsersOfTwoSeats_ShowsThreeOfTwoInTheErrorColour_LinkingToTheLicencePage()
    {
        await StartAsync(seats: 2, users: 3);

        var layout = _context.Render<MainLayout>(parameters => parameters.Add(l => l.Body, "<p>page</p>"));
        var indicator = layout.WaitForElement("[data-testid=licence-indicator]", Patience);

        Assert.Equal("3 / 2", indicator.TextContent.Trim());
        Assert.Equal("over", indicator.GetAttribute("data-state"));
        Assert.Contains("mud-chip-color-error", indicator.ClassName, StringComparison.Ordinal);
        Assert.Equal("Over the licence: 1 user cannot sign in (3 users, 2 licensed).", indicator.GetAttribute("aria-label"));
        Assert.Equal("licence", indicator.GetAttribute("href"));
    }

    [Fact]
    public async Task AppBar_OneUserOfTwoSeats_IsNeutral()
    {
        await StartAsync(seats: 2, users: 1);

        var layout = _context.Render<MainLayout>(parameters => parameters.Add(l => l.Body, "<p>page</p>"));
        var indicator = layout.WaitForElement("[data-testid=licence-indicator]", Patience);

        Assert.Equal("1 / 2", indicator.TextContent.Trim());
        Assert.Contains("mud-chip-color-default", indicator.ClassName, StringComparison.Ordinal);
        Assert.Equal("1 of 2 licensed users on this server; 1 free.", indicator.GetAttribute("aria-label"));
    }

    [Fact]
    public async Task AppBar_AnotherPage_CountsAgain()
    {
        await StartAsync(seats: 2, users: 1);
        var indicator = _context.Render<LicenceIndicator>(parameters => parameters.Add(i => i.Page, "http://hq/"));
        indicator.WaitForAssertion(() => Assert.Equal("1 / 2", Text(indicator, "licence-indicator")), Patience);

        await AddUserAsync(2);
        indicator.Render(parameters => parameters.Add(i => i.Page, "http://hq/users"));

        indicator.WaitForAssertion(() => Assert.Equal("2 / 2", Text(indicator, "licence-indicator")), Patience);
        Assert.Equal("full", indicator.Find("[data-testid=licence-indicator]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task AppBar_ThirtySecondsLater_CountsAgain()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await StartAsync(seats: 2, users: 1, clock: clock);
        var indicator = _context.Render<LicenceIndicator>(parameters => parameters.Add(i => i.Page, "http://hq/"));
        indicator.WaitForAssertion(() => Assert.Equal("1 / 2", Text(indicator, "licence-indicator")), Patience);

        await AddUserAsync(2);
        await AddUserAsync(3);
        clock.Advance(TimeSpan.FromSeconds(30));

        indicator.WaitForAssertion(() => Assert.Equal("3 / 2", Text(indicator, "licence-indicator")), Patience);
    }

    [Fact]
    public async Task AppBar_DomainAdmin_SeesTheUseButNoLinkAndNoMenuEntry()
    {
        await StartAsync(seats: 2, users: 3, AdminRole.DomainAdmin, "company.com");

        var layout = _context.Render<MainLayout>(parameters => parameters.Add(l => l.Body, "<p>page</p>"));
        var indicator = layout.WaitForElement("[data-testid=licence-indicator]", Patience);

        Assert.Equal("3 / 2", indicator.TextContent.Trim());
        Assert.Null(indicator.GetAttribute("href"));
        var menu = _context.Render<NavMenu>();
        Assert.Empty(menu.FindAll("[data-testid=nav-licence]"));
        Assert.NotEmpty(menu.FindAll("[data-testid=nav-migration]"));
    }

    [Fact]
    public async Task Menu_ServerReadOnlyAdmin_HasTheLicenceEntry()
    {
        await StartAsync(seats: 2, users: 0, AdminRole.ServerReadOnly);

        var menu = _context.Render<NavMenu>();

        Assert.Equal("Licence", menu.Find("[data-testid=nav-licence]").TextContent.Trim());
    }

    [Fact]
    public async Task Dashboard_TwoUsersOfTwoSeats_ShowsTheLicenceLine()
    {
        await StartAsync(seats: 2, users: 2);

        var page = _context.Render<Home>();
        page.WaitForElement("[data-testid=info-licence]", Patience);

        Assert.Equal("2 of 2 users", Text(page, "info-licence"));
    }

    /// <summary>
    /// A node with <paramref name="seats"/> (none: unlimited) and <paramref name="users"/> local users
    /// of company.com, user1 first; signs in before Core is first resolved, as bUnit requires.
    /// </summary>
    private async Task StartAsync(int? seats, int users, AdminRole role = AdminRole.ServerReadWrite, string? domain = null, TimeProvider? clock = null)
    {
        _core = seats is { } count
            ? ConsoleCore.Add(_context, "hq", new KeyValuePair<string, string?>("Licence:Seats", count.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : ConsoleCore.Add(_context, "hq");
        if (clock is not null)
        {
            _context.Services.AddSingleton(clock);
        }

        _context.SignIn(role == AdminRole.DomainAdmin ? "ann" : "admin", role, domain);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        for (var i = 1; i <= users; i++)
        {
            await AddUserAsync(i);
        }
    }

    private Task<UserInfo> AddUserAsync(int number) =>
        _core!.Get<UserService>().CreateLocalAsync(Actor.System, $"user{number}@company.com", $"User {number}", "User-Password-1", CancellationToken.None);

    private IRenderedComponent<Licence> RenderPage()
    {
        var page = _context.Render<Licence>();
        page.WaitForElement("[data-testid=licence-used]", Patience);
        return page;
    }

    private static string Text<T>(IRenderedComponent<T> component, string testId)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        component.Find($"[data-testid={testId}]").TextContent.Trim();
}
