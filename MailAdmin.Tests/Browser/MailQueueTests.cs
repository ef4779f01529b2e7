using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using Microsoft.Playwright;

namespace MailAdmin.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class MailQueueTests(BrowserFixture browser) : IAsyncLifetime
{
    private SmtpSink _sink = default!;
    private TestNode _node = default!;

    public async Task InitializeAsync()
    {
        _sink = SmtpSink.Start();
        _sink.RecipientReply = _ => "451 4.7.1 Greylisted, come back later";
        _node = await TestNode.StartAsync("queue", $"--Smtp:RelayHost=127.0.0.1:{_sink.Port}");
        using var admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task DeferredMail_IsShownWithItsReason_AndCanBeHeldAndDeleted()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _node);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Mail queue", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("queue-empty")).ToBeVisibleAsync();

        var id = await _node.EnqueueAsync("ann@company.com", ["partner@example.org"]);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id)?.Recipients[0].Attempts == 1, "the first attempt failed");
        await page.GetByTestId("queue-refresh").ClickAsync();

        var table = page.GetByTestId("queue-table");
        await Assertions.Expect(table.GetByText(id)).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByText("partner@example.org · deferred (1 attempt)")).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByText("ann@company.com")).ToBeVisibleAsync();

        await page.GetByTestId($"hold-{id}").ClickAsync();
        await Assertions.Expect(table.GetByTestId("queue-held")).ToBeVisibleAsync();
        Assert.True(_node.Queue().Get(id)!.Held);

        await page.GetByTestId($"delete-{id}").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("queue-empty")).ToBeVisibleAsync();
        Assert.Null(_node.Queue().Get(id));
    }
}
