using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class DomainsAndUsersTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly SlapdFixture _slapd = new();
    private TestNode _node = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _node = await TestNode.StartAsync("hq", "--Directory:SyncIntervalMinutes=0");
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task AddDomain_SaveDirectory_Sync_ThenFindAMappedUser()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Domains", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("domains-empty")).ToContainTextAsync("No domains yet");

        await page.GetByTestId("add-menu").ClickAsync();
        await page.GetByTestId("add-local-domain").ClickAsync();
        await page.GetByTestId("prompt-text").FillAsync("company.com");
        await page.GetByTestId("prompt-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("domains-table")).ToContainTextAsync("company.com");
        await Assertions.Expect(page.GetByTestId("domains-table")).ToContainTextAsync("Not set");

        await page.GetByRole(AriaRole.Button, new() { Name = "Directory service of company.com" }).ClickAsync();
        await page.GetByTestId("dir-host").FillAsync(_slapd.Host);
        await page.GetByTestId("dir-port").FillAsync(_slapd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("dir-bind-dn").FillAsync(_slapd.BindDn);
        await page.GetByTestId("dir-base-dn").FillAsync(_slapd.BaseDn);
        await page.GetByTestId("dir-password").FillAsync("not-the-password");
        await page.GetByTestId("dir-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("dir-error")).ToBeVisibleAsync();

        await page.GetByTestId("dir-password").FillAsync(_slapd.BindPassword);
        await page.GetByTestId("dir-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("domains-table")).ToContainTextAsync($"OpenLDAP · {_slapd.Host}:{_slapd.Port}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sync company.com now" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"company.com: added {CompanyDirectory.PeopleCount}")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();

        // Like a person, search once the list is there: typing into a grid still on its first load races that load.
        await Assertions.Expect(page.GetByTestId("users-grid").Locator("tbody tr")).ToHaveCountAsync(CompanyDirectory.PeopleCount);
        await page.GetByTestId("users-search").FillAsync("dvořák");
        await Assertions.Expect(page.GetByTestId("users-grid").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("users-grid")).ToContainTextAsync("zoe.dvorak@company.com");

        await page.GetByTestId("users-grid").GetByText("zoe.dvorak@company.com", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-drawer")).ToContainTextAsync("QA Engineer");
        await Assertions.Expect(page.GetByTestId("user-drawer")).ToContainTextAsync("engineering");
    }
}
