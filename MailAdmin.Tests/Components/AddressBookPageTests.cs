using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>The Aliases and lists page and its dialogs, against the real Core services.</summary>
public sealed class AddressBookPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    private AddressBookService AddressBook => _core.Get<AddressBookService>();

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_DomainWithoutAliasesOrLists_SaysHowToAddThem()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Contains("No aliases in company.com. Add one with Add alias", page.Find("[data-testid=aliases-empty]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("No mailing lists in company.com. Add one with Add mailing list", page.Find("[data-testid=lists-empty]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_NoDomains_PointsToTheDomainsPage()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Contains("add one on the Domains page first", page.Find("[data-testid=address-book-no-domains]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(page.FindAll("[data-testid=add-alias]"));
    }

    [Fact]
    public async Task AddAlias_ThroughTheDialog_IsListed()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=aliases-empty]"), Patience);

        page.Find("[data-testid=add-alias]").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=alias-address]"), Patience);
        await _dialogs.Find("[data-testid=alias-address]").ChangeAsync(new() { Value = "sales" });
        await _dialogs.Find("[data-testid=alias-target]").ChangeAsync(new() { Value = "ann@company.com" });
        await _dialogs.Find("[data-testid=alias-save]").ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Equal([["sales@company.com", "ann@company.com"]], Rows(page, "aliases-table")), Patience);
        Assert.Empty(_dialogs.FindAll("[data-testid=alias-save]"));
    }

    [Fact]
    public async Task AddAlias_ThatWouldLoop_ShowsTheRefusalInTheDialog()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await AddressBook.CreateAliasAsync(Actor.System, "company.com", "a", "b@company.com", CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "aliases-table")), Patience);

        page.Find("[data-testid=add-alias]").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=alias-address]"), Patience);
        await _dialogs.Find("[data-testid=alias-address]").ChangeAsync(new() { Value = "b" });
        await _dialogs.Find("[data-testid=alias-target]").ChangeAsync(new() { Value = "a@company.com" });
        await _dialogs.Find("[data-testid=alias-save]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(
            () => Assert.Contains("would make a loop", _dialogs.Find("[data-testid=alias-error]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Single(Rows(page, "aliases-table"));
    }

    [Fact]
    public async Task AddList_WithMembersOnePerLine_IsListed()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=lists-empty]"), Patience);

        page.Find("[data-testid=add-list]").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=list-address]"), Patience);
        await _dialogs.Find("[data-testid=list-address]").ChangeAsync(new() { Value = "team" });
        await _dialogs.Find("[data-testid=list-members]").ChangeAsync(new() { Value = "ann@company.com\npartner@example.org\n" });
        await _dialogs.Find("[data-testid=list-save]").ClickAsync(new());

        await page.WaitForAssertionAsync(
            () => Assert.Equal([["team@company.com", "ann@company.com, partner@example.org"]], Rows(page, "lists-table")), Patience);
    }

    [Fact]
    public async Task EditListMembers_ThroughTheDialog_ReplacesThem()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await AddressBook.CreateListAsync(Actor.System, "company.com", "team", ["ann@company.com"], CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "lists-table")), Patience);

        page.Find("[aria-label='Edit members of team@company.com']").Click();
        await _dialogs.WaitForAssertionAsync(() => Assert.Equal("ann@company.com", _dialogs.Find("[data-testid=list-members]").GetAttribute("value") ?? _dialogs.Find("[data-testid=list-members]").TextContent), Patience);
        Assert.Empty(_dialogs.FindAll("[data-testid=list-address]"));
        await _dialogs.Find("[data-testid=list-members]").ChangeAsync(new() { Value = "bob@company.com" });
        await _dialogs.Find("[data-testid=list-save]").ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Equal([["team@company.com", "bob@company.com"]], Rows(page, "lists-table")), Patience);
    }

    [Fact]
    public async Task EditListMembers_ThatLeadBackToTheList_ShowsTheRefusalInTheDialog()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await AddressBook.CreateListAsync(Actor.System, "company.com", "team", ["ann@company.com"], CancellationToken.None);
        await AddressBook.CreateAliasAsync(Actor.System, "company.com", "everyone", "team@company.com", CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "lists-table")), Patience);

        page.Find("[aria-label='Edit members of team@company.com']").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=list-members]"), Patience);
        await _dialogs.Find("[data-testid=list-members]").ChangeAsync(new() { Value = "everyone@company.com" });
        await _dialogs.Find("[data-testid=list-save]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(
            () => Assert.Contains("a list cannot contain itself", _dialogs.Find("[data-testid=list-error]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal([["team@company.com", "ann@company.com"]], Rows(page, "lists-table"));
    }

    [Fact]
    public async Task DeleteAlias_Confirmed_RemovesIt()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await AddressBook.CreateAliasAsync(Actor.System, "company.com", "sales", "ann@company.com", CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "aliases-table")), Patience);

        page.Find("[aria-label='Delete sales@company.com']").Click();
        await _dialogs.WaitForAssertionAsync(() => Assert.Contains("Delete the alias sales@company.com?", _dialogs.Markup, StringComparison.Ordinal), Patience);
        await _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Delete").ClickAsync(new());

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=aliases-empty]"), Patience);
        Assert.Empty(await AddressBook.ListAliasesAsync(Reader, "company.com", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteList_Confirmed_RemovesIt()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await AddressBook.CreateListAsync(Actor.System, "company.com", "team", ["ann@company.com"], CancellationToken.None);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "lists-table")), Patience);

        page.Find("[aria-label='Delete team@company.com']").Click();
        await _dialogs.WaitForAssertionAsync(() => Assert.Contains("Delete the mailing list team@company.com?", _dialogs.Markup, StringComparison.Ordinal), Patience);
        await _dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Delete").ClickAsync(new());

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=lists-empty]"), Patience);
    }

    [Fact]
    public async Task ReadOnlyAdmin_SeesAliasesAndLists_WithoutWaysToChangeThem()
    {
        await SetUpAsync(AdminRole.ServerReadOnly);
        await AddressBook.CreateAliasAsync(Actor.System, "company.com", "sales", "ann@company.com", CancellationToken.None);
        await AddressBook.CreateListAsync(Actor.System, "company.com", "team", ["ann@company.com"], CancellationToken.None);

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page, "lists-table")), Patience);
        Assert.Equal([["sales@company.com", "ann@company.com"]], Rows(page, "aliases-table"));
        Assert.Empty(page.FindAll("[data-testid=add-alias], [data-testid=add-list]"));
        Assert.Empty(page.FindAll("[aria-label^='Delete'], [aria-label^='Edit']"));
    }

    [Fact]
    public async Task DomainAdmin_SeesOnlyTheirDomain()
    {
        await SetUpAsync(AdminRole.DomainAdmin, "company.com");
        await _core.Get<DomainService>().CreateAsync(Actor.System, "other.example", CancellationToken.None);
        await AddressBook.CreateAliasAsync(Actor.System, "other.example", "info", "ann@company.com", CancellationToken.None);

        var page = RenderPage(domain: "other.example");

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=aliases-empty]"), Patience);
        Assert.Contains("company.com", page.Find("[data-testid=aliases-empty]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("info@other.example", page.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=add-alias]"));
    }

    [Fact]
    public async Task Render_WithADomainInTheAddress_ShowsThatDomain()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await _core.Get<DomainService>().CreateAsync(Actor.System, "other.example", CancellationToken.None);
        await AddressBook.CreateAliasAsync(Actor.System, "other.example", "info", "ann@company.com", CancellationToken.None);

        var page = RenderPage(domain: "other.example");

        await page.WaitForAssertionAsync(() => Assert.Equal([["info@other.example", "ann@company.com"]], Rows(page, "aliases-table")), Patience);
    }

    private static AdminPrincipal Reader => Actor.System.Principal;

    private async Task SetUpAsync(AdminRole role, string? domain = null)
    {
        _context.SignIn("someone", role, domain);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
    }

    private IRenderedComponent<AddressBook> RenderPage(string? domain = null)
    {
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        if (domain is not null)
        {
            _context.Services.GetRequiredService<NavigationManager>().NavigateTo($"aliases?domain={Uri.EscapeDataString(domain)}");
        }

        return _context.Render<AddressBook>();
    }

    private static List<List<string>> Rows(IRenderedComponent<AddressBook> page, string table) =>
        [.. page.FindAll($"[data-testid={table}] tbody tr.mud-table-row").Select(r => r.QuerySelectorAll("td").Take(2).Select(c => c.TextContent.Trim()).ToList())];
}
