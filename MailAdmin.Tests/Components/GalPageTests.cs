using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Pages;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The Global Address List page against the real Core (GalService over a real SQLite database):
/// entries sorted by name with their kind, the search, users hidden from the list left out,
/// the vCard download and the empty states.
/// </summary>
public sealed class GalPageTests : IAsyncLifetime
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
    public async Task Render_ListsUsersAndListsByName_WithoutHiddenUsers_AndCountsThem()
    {
        await StartAsync();
        var users = _core!.Get<UserService>();
        await users.CreateLocalAsync(Actor.System, "zoe@company.com", "Zoe Adams", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, "adam@company.com", "Adam Young", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, "hidden@company.com", "Hidden Person", "User-Password-1", CancellationToken.None);
        await users.UpdateAsync(Actor.System, "hidden@company.com", new UserChanges(HiddenFromAddressList: true), forwardToHome: true, CancellationToken.None);
        await _core.Get<AddressBookService>().CreateListAsync(Actor.System, "company.com", "sales@company.com", ["zoe@company.com"], CancellationToken.None);

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(["Adam Young", "sales", "Zoe Adams"], Names(page)), Patience);
        Assert.Equal("3 entries", page.Find("[data-testid=gal-total]").TextContent.Trim());
        Assert.Contains("Mailing list", page.Find("[data-testid=gal-grid]").InnerHtml, StringComparison.Ordinal);
        Assert.Equal("api/v1/gal.vcf?domain=company.com", page.Find("[data-testid=gal-download]").GetAttribute("href"));
    }

    [Fact]
    public async Task Search_NarrowsTheList_AndANoMatchSaysWhatToSearchFor()
    {
        await StartAsync();
        var users = _core!.Get<UserService>();
        await users.CreateLocalAsync(Actor.System, "zoe@company.com", "Zoe Adams", "User-Password-1", CancellationToken.None);
        await users.CreateLocalAsync(Actor.System, "adam@company.com", "Adam Young", "User-Password-1", CancellationToken.None);
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(2, Names(page).Count), Patience);

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudTextField<string>>().Instance.OnDebounceIntervalElapsed.InvokeAsync("young"));
        page.WaitForAssertion(() => Assert.Equal(["Adam Young"], Names(page)), Patience);

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudTextField<string>>().Instance.OnDebounceIntervalElapsed.InvokeAsync("100%"));
        page.WaitForAssertion(() => Assert.Contains("Nothing in the list matches \"100%\"", page.Find("[data-testid=gal-empty]").TextContent, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task Render_EmptyDomain_SaysWhereEntriesComeFrom()
    {
        await StartAsync();

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Users come from the domain's directory service", page.Find("[data-testid=gal-empty]").TextContent, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task Render_NoDomain_SaysToAddOne()
    {
        _core = ConsoleCore.Add(_context, "hq");
        _context.SignIn("admin", AdminRole.ServerReadWrite, null);
        await _core.MigrateAsync();

        var page = _context.Render<GlobalAddressList>();

        page.WaitForElement("[data-testid=gal-no-domains]", Patience);
        Assert.Empty(page.FindAll("[data-testid=gal-download]"));
    }

    private async Task StartAsync()
    {
        _core = ConsoleCore.Add(_context, "hq");
        _context.SignIn("admin", AdminRole.ServerReadWrite, null);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
    }

    private IRenderedComponent<GlobalAddressList> RenderPage()
    {
        var page = _context.Render<GlobalAddressList>();
        page.WaitForElement("[data-testid=gal-grid]", Patience);
        return page;
    }

    private static List<string> Names(IRenderedComponent<GlobalAddressList> page) =>
        [.. page.FindAll("[data-testid=gal-grid] tbody tr.mud-table-row td:first-child span").Select(s => s.TextContent.Trim())];
}
