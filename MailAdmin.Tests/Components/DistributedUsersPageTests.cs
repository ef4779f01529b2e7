using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>Accounts → Users in a distributed domain (manual, chapter 10): the home server of each user, and this server's users only.</summary>
public sealed class DistributedUsersPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, nodeName: "mail");
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        await _core.Get<UserService>().CreateLocalAsync(Actor.System, "ann@company.com", "Ann", "User-Password-1", CancellationToken.None);

        // A user whose mailbox is on another server of the distributed domain, as replication would write it.
        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        var domain = await db.Domains.SingleAsync(d => d.Name == "company.com");
        db.Users.Add(new MailUser
        {
            DomainId = domain.Id,
            LocalPart = "sam",
            Name = "Sam Seattle",
            Source = UserSource.Directory,
            DirectoryId = "7a2e",
            HomeServer = "seattle",
            SearchText = MailUser.SearchTextOf("Sam Seattle", "sam", [], "company.com"),
        });
        db.Users.Add(new MailUser
        {
            DomainId = domain.Id,
            LocalPart = "dora",
            Name = "Dora Directory",
            Source = UserSource.Directory,
            DirectoryId = "5f1c",
            HomeServer = "mail",
            SearchText = MailUser.SearchTextOf("Dora Directory", "dora", [], "company.com"),
        });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_UsersOfSeveralServers_ShowsEachOnesHomeServer()
    {
        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(3, Rows(page).Count), Patience);
        Assert.Contains("Home server", page.FindAll("[data-testid=users-grid] th").Select(h => h.TextContent.Trim()));
        Assert.Equal(["ann@company.com mail", "dora@company.com mail", "sam@company.com seattle"], Rows(page));
    }

    [Fact]
    public async Task ShowOnlyUsersFromThisServer_Checked_HidesUsersOfOtherServers()
    {
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(3, Rows(page).Count), Patience);
        Assert.Contains("Show only users from this server", page.Markup, StringComparison.Ordinal);

        await page.Find("[data-testid=users-this-server]").ChangeAsync(new() { Value = true });

        await page.WaitForAssertionAsync(() => Assert.Equal(["ann@company.com mail", "dora@company.com mail"], Rows(page)), Patience);
    }

    [Fact]
    public async Task ADirectoryUserOfAnotherServer_OffersAllowSignIn_AndSaysItsHomeServerMakesTheChange()
    {
        var page = RenderPage();

        await OpenDrawerAsync(page, "sam@company.com");

        Assert.NotEmpty(page.FindAll("[data-testid=allow-sign-in]"));
        Assert.Contains("made by seattle, the user's home server", page.Find("[data-testid=carried-out-by-home]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowSignIn_TurnedOffForADirectoryUserOfThisServer_DisablesTheirSignIn_AndTheListSaysSo()
    {
        var page = RenderPage();
        await OpenDrawerAsync(page, "dora@company.com");
        Assert.Empty(page.FindAll("[data-testid=carried-out-by-home]"));

        await page.Find("[data-testid=allow-sign-in] input, input[data-testid=allow-sign-in]").ChangeAsync(new() { Value = false });

        // The event handler has run to its end once ChangeAsync returns.
        await using (var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync())
        {
            Assert.True((await db.Users.SingleAsync(u => u.LocalPart == "dora")).DisabledByAdministrator);
        }

        var dora = (await _core.Get<UserService>().GetAsync(Actor.System.Principal, "dora@company.com", CancellationToken.None)).User;
        Assert.False(dora.Enabled);
        Assert.True(dora.DisabledByAdministrator);
    }

    private static async Task OpenDrawerAsync(IRenderedComponent<Users> page, string address)
    {
        await page.WaitForAssertionAsync(() => Assert.Equal(3, Rows(page).Count), Patience);
        var row = page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").First(r => r.QuerySelector("td[data-label=Address]")!.TextContent.Trim() == address);
        await row.ClickAsync(new());
        await page.WaitForAssertionAsync(() => Assert.Contains(address, page.Find("[data-testid=user-drawer]").TextContent, StringComparison.Ordinal), Patience);
    }

    private IRenderedComponent<Users> RenderPage()
    {
        _context.Render<MudPopoverProvider>();
        _context.Render<MudDialogProvider>();
        return _context.Render<Users>();
    }

    /// <summary>Each row as its address and home server.</summary>
    private static List<string> Rows(IRenderedComponent<Users> page)
    {
        var headers = page.FindAll("[data-testid=users-grid] th").Select(h => h.TextContent.Trim()).ToList();
        var address = headers.IndexOf("Address");
        var home = headers.IndexOf("Home server");
        return
        [
            .. page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row")
                .Select(r => r.QuerySelectorAll("td"))
                .Select(c => $"{c[address].TextContent.Trim()} {c[home].TextContent.Trim()}"),
        ];
    }
}
