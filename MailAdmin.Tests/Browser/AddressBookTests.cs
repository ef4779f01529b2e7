using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AddressBookTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("aliases");
        using var admin = await _node.SignedInClientAsync();
        await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
        await admin.PostAsJsonAsync("api/v1/users", new { address = "ann@company.com", name = "Ann Novak", password = "User-Password-1" });
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task AddAliasAndMailingList_InTheConsole_AreListed()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Aliases and lists", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("aliases-empty")).ToContainTextAsync("No aliases in company.com");

        await page.GetByTestId("add-alias").ClickAsync();
        await page.GetByTestId("alias-address").FillAsync("sales");
        await page.GetByTestId("alias-target").FillAsync("sales@company.com");
        await page.GetByTestId("alias-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("alias-error")).ToContainTextAsync("would make a loop");
        await page.GetByTestId("alias-target").FillAsync("ann@company.com");
        await page.GetByTestId("alias-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("aliases-table")).ToContainTextAsync("sales@company.com");
        await Assertions.Expect(page.GetByTestId("aliases-table")).ToContainTextAsync("ann@company.com");

        await page.GetByTestId("add-list").ClickAsync();
        await page.GetByTestId("list-address").FillAsync("team");
        await page.GetByTestId("list-members").FillAsync("ann@company.com\npartner@example.org");
        await page.GetByTestId("list-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("lists-table")).ToContainTextAsync("team@company.com");
        await Assertions.Expect(page.GetByTestId("lists-table")).ToContainTextAsync("ann@company.com, partner@example.org");

        await page.ReloadAsync();
        await ConsoleSteps.WaitForConsoleAsync(page);
        await Assertions.Expect(page.GetByTestId("aliases-table")).ToContainTextAsync("sales@company.com");
        await Assertions.Expect(page.GetByTestId("lists-table")).ToContainTextAsync("team@company.com");
    }

    [Fact]
    public async Task EditLocalUser_NewName_IsShownInTheList()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await page.GetByTestId("users-grid").GetByText("ann@company.com", new() { Exact = true }).ClickAsync();

        await page.GetByTestId("edit-user").ClickAsync();
        await page.GetByTestId("edit-user-name").FillAsync("Ann Novak-Smith");
        await page.GetByTestId("edit-user-save").ClickAsync();

        await Assertions.Expect(page.GetByTestId("user-drawer")).ToContainTextAsync("Ann Novak-Smith");
        await Assertions.Expect(page.GetByTestId("users-grid")).ToContainTextAsync("Ann Novak-Smith");
    }

    [Fact]
    public async Task HideFromTheGlobalAddressList_InTheUserDrawer_TakesTheUserOffTheListPage_AndBack()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Global Address List", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("gal-grid")).ToContainTextAsync("ann@company.com");
        await Assertions.Expect(page.GetByTestId("gal-total")).ToHaveTextAsync("1 entry");

        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await page.GetByTestId("users-grid").GetByText("ann@company.com", new() { Exact = true }).ClickAsync();
        await page.Locator("[data-testid=hide-from-gal] input, input[data-testid=hide-from-gal]").CheckAsync();
        await Assertions.Expect(page.GetByText("ann@company.com is hidden from the Global Address List.")).ToBeVisibleAsync();
        await CloseDrawerAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Global Address List", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("gal-empty")).ToContainTextAsync("The list is empty");
        await Assertions.Expect(page.GetByTestId("gal-grid")).Not.ToContainTextAsync("ann@company.com");

        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await page.GetByTestId("users-grid").GetByText("ann@company.com", new() { Exact = true }).ClickAsync();
        await page.Locator("[data-testid=hide-from-gal] input, input[data-testid=hide-from-gal]").UncheckAsync();
        await Assertions.Expect(page.GetByText("ann@company.com is listed in the Global Address List again.")).ToBeVisibleAsync();
        await CloseDrawerAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Global Address List", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("gal-grid")).ToContainTextAsync("Ann Novak");
    }

    /// <summary>Closes the user drawer as a user would: a click on the page beside it.</summary>
    private static async Task CloseDrawerAsync(IPage page)
    {
        await page.Locator(".mud-overlay-scrim").ClickAsync(new() { Position = new() { X = 5, Y = 5 } });
        await Assertions.Expect(page.Locator(".mud-overlay-scrim")).ToHaveCountAsync(0);
    }
}
