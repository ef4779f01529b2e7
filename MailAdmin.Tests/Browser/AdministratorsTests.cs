using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AdministratorsTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("admins");

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task AddLocalAdministrator_ThroughTheDialog_CanSignInWithThatRole()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Administrators", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrators" })).ToBeVisibleAsync();

        await page.GetByTestId("add-local-admin").ClickAsync();
        await page.GetByLabel("User name").FillAsync("helpdesk");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByTestId("new-admin-save").ClickAsync();
        await Assertions.Expect(page.GetByText("a password needs at least 10 characters.")).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync("Helpdesk-Pass-1");
        await page.GetByTestId("new-admin-save").ClickAsync();

        await Assertions.Expect(page.GetByTestId("admins-table").GetByText("local:helpdesk")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("admins-table").GetByText("Whole server read-only")).ToBeVisibleAsync();

        var helpdesk = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(helpdesk, _node, "helpdesk", "Helpdesk-Pass-1");
        await ConsoleSteps.WaitForConsoleAsync(helpdesk);
        Assert.Equal("Whole server read-only", await helpdesk.GetByTestId("signed-in-role").InnerTextAsync());
        await helpdesk.GetByRole(AriaRole.Link, new() { Name = "Administrators", Exact = true }).ClickAsync();
        await Assertions.Expect(helpdesk.GetByTestId("admins-table").GetByText("local:helpdesk")).ToBeVisibleAsync();
        await Assertions.Expect(helpdesk.GetByTestId("add-local-admin")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task GrantingADirectoryGroup_ThroughTheDialog_ListsItWithItsDomain()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GotoAsync(new Uri(_node.BaseAddress, "admins").ToString());
        await ConsoleSteps.WaitForConsoleAsync(page);

        await page.GetByTestId("grant-directory-admin").ClickAsync();
        await page.GetByText("Group", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("grant-address").FillAsync("it-admins@company.com");
        await page.GetByTestId("grant-role").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Domain administrator" }).ClickAsync();
        await page.GetByTestId("grant-domain").FillAsync("company.com");
        await page.GetByTestId("grant-save").ClickAsync();

        var table = page.GetByTestId("admins-table");
        await Assertions.Expect(table.GetByText("group:it-admins@company.com")).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByText("Domain administrator")).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByText("company.com", new() { Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task RemovingTheLastLocalReadWriteAdministrator_IsRefusedWithTheReason()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GotoAsync(new Uri(_node.BaseAddress, "admins").ToString());
        await ConsoleSteps.WaitForConsoleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove local:admin" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByText("Keep at least one local administrator with whole server read/write rights")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("admins-table").GetByText("local:admin")).ToBeVisibleAsync();
    }
}
