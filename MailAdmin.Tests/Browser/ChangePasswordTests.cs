using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ChangePasswordTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("password");

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task ChangePassword_ThroughThePage_SignsInAgainWithTheNewPasswordOnly()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Change password", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change password" })).ToBeVisibleAsync();

        await page.GetByLabel("Current password").FillAsync("not-my-password");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("Brand-New-Pass-1");
        await page.GetByLabel("New password again").FillAsync("Brand-New-Pass-1");
        await page.GetByTestId("save-password").ClickAsync();
        await Assertions.Expect(page.GetByTestId("password-error")).ToContainTextAsync("The current password is wrong.");

        await page.GetByLabel("Current password").FillAsync(TestNode.AdminPassword);
        await page.GetByTestId("save-password").ClickAsync();

        await Assertions.Expect(page.GetByTestId("login-message")).ToContainTextAsync("Your password was changed. Sign in with the new one.");
        await ConsoleSteps.SignInAsync(page, _node);
        await Assertions.Expect(page.GetByTestId("login-message")).ToContainTextAsync("The user name or password is wrong.");
        await ConsoleSteps.SignInAsync(page, _node, password: "Brand-New-Pass-1");
        await ConsoleSteps.WaitForConsoleAsync(page);
    }
}
