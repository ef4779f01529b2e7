using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class LoginTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("hq");

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task SignIn_ThroughTheLoginPage_ShowsTheShellWithNodeNameAndRole()
    {
        var page = await browser.NewPageAsync();

        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);

        Assert.Equal(new Uri(_node.BaseAddress, "/").ToString(), page.Url);
        Assert.Equal("hq", await page.Locator("[data-testid=node-name]").InnerTextAsync());
        Assert.Equal("Standalone", (await page.Locator("[data-testid=node-role]").InnerTextAsync()).Trim());
        Assert.Equal("admin", await page.Locator("[data-testid=signed-in-as]").InnerTextAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_SaysSoAndStaysOnTheLoginPage()
    {
        var page = await browser.NewPageAsync();

        await ConsoleSteps.SignInAsync(page, _node, password: "wrong-password");

        await Assertions.Expect(page.Locator("[data-testid=login-message]")).ToContainTextAsync("The user name or password is wrong.");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AfterFiveFailures_ShowsTheLockoutMessage()
    {
        var page = await browser.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await ConsoleSteps.SignInAsync(page, _node, password: $"wrong-{i}");
        }

        await ConsoleSteps.SignInAsync(page, _node);

        await Assertions.Expect(page.Locator("[data-testid=login-message]")).ToContainTextAsync("Too many failed sign-ins from your address. Try again in 5 minutes.");
    }

    [Fact]
    public async Task OpeningAPage_WhenSignedOut_ReturnsToItAfterSignIn()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(_node.BaseAddress, "audit").ToString());
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(TestNode.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ConsoleSteps.WaitForConsoleAsync(page);

        Assert.EndsWith("/audit", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("session.login").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignOut_ReturnsToTheLoginPageAndClosesTheConsole()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await page.WaitForURLAsync("**/login");
        await page.GotoAsync(_node.BaseAddress.ToString());
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Theme_FollowsTheBrowsersDarkMode()
    {
        var light = await browser.NewPageAsync(ColorScheme.Light);
        var dark = await browser.NewPageAsync(ColorScheme.Dark);
        foreach (var page in new[] { light, dark })
        {
            await ConsoleSteps.SignInAsync(page, _node);
            await ConsoleSteps.WaitForConsoleAsync(page);
        }

        const string background = "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";
        await Assertions.Expect(dark.Locator(".mud-layout")).ToBeVisibleAsync();
        var lightColour = await light.EvaluateAsync<string>(background);
        var darkColour = await WaitForAsync(() => dark.EvaluateAsync<string>(background), c => c != lightColour);
        Assert.NotEqual(lightColour, darkColour);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
