using MailAdmin.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

/// <summary>What a person does in the console, step by step.</summary>
internal static class ConsoleSteps
{
    public static async Task SignInAsync(IPage page, TestNode node, string username = "admin", string password = TestNode.AdminPassword)
    {
        await page.GotoAsync(new Uri(node.BaseAddress, "login").ToString());
        await page.GetByLabel("User name").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Clicks before the Blazor circuit connects are lost: wait for the layout's marker.</summary>
    public static Task WaitForConsoleAsync(IPage page) =>
        page.Locator("[data-testid=console-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}
