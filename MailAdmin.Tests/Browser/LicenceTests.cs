using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

/// <summary>The licence in the console of a node started with two seats (manual, chapter 3).</summary>
[Collection(BrowserCollection.Name)]
public sealed class LicenceTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("licence", "--Licence:Seats=2");
        using var admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
        await AddUsersAsync("ann", "bob");
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task AppBar_FollowsTheUsersAdded_AndLeadsToTheLicencePage()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);

        var indicator = page.GetByTestId("licence-indicator");
        await Assertions.Expect(indicator).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(indicator).ToHaveAttributeAsync("data-state", "full");

        await indicator.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Licence", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("licence-alert")).ToContainTextAsync("Migrate Here into this server is refused");

        // Added elsewhere (here, over the API): the app bar counts again on the next page.
        await AddUsersAsync("carol");
        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true }).ClickAsync();
        await Assertions.Expect(indicator).ToHaveTextAsync("3 / 2");
        await Assertions.Expect(indicator).ToHaveAttributeAsync("data-state", "over");
        await Assertions.Expect(page.GetByTestId("info-licence")).ToHaveTextAsync("3 of 2 users (1 user cannot sign in)");

        await page.GetByTestId("nav-licence").ClickAsync();
        await Assertions.Expect(page.GetByTestId("licence-alert")).ToContainTextAsync("1 user cannot sign in");
        await Assertions.Expect(page.GetByTestId("licence-beyond").Locator("tbody tr")).ToHaveTextAsync(["carol@company.com"]);
    }

    private async Task AddUsersAsync(params string[] names)
    {
        using var admin = await _node.SignedInClientAsync();
        foreach (var name in names)
        {
            var created = await admin.PostAsJsonAsync("api/v1/users", new { address = $"{name}@company.com", name, password = "User-Password-1" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }
}
