using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Components;

public sealed class HomePageTests : IAsyncLifetime
{
    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;

    public Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, "mail1", new KeyValuePair<string, string?>("Node:PublicHost", "mail1.example.com"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_ServerReadWriteAdmin_ShowsNodeNameAndStandaloneRole()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();

        var page = _context.Render<Home>();
        page.WaitForElement("[data-testid=info-name]");

        Assert.Equal("mail1", page.Find("[data-testid=info-name]").TextContent.Trim());
        Assert.StartsWith("Standalone", page.Find("[data-testid=info-role]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("mail1.example.com", page.Markup, StringComparison.Ordinal);
        Assert.Contains(NodeInfoService.Version, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ServerReadWriteAdmin_ShowsWhoIsSignedIn()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();

        var page = _context.Render<Home>();
        page.WaitForElement("[data-testid=info-name]");

        Assert.Contains("<b>admin</b>", page.Markup, StringComparison.Ordinal);
        Assert.Contains(AdminRole.ServerReadWrite.DisplayName(), page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_DomainAdmin_ShowsTheirDomain()
    {
        _context.SignIn("ann", AdminRole.DomainAdmin, "example.com");
        await _core.MigrateAsync();

        var page = _context.Render<Home>();
        page.WaitForElement("[data-testid=info-name]");

        Assert.Equal("mail1", page.Find("[data-testid=info-name]").TextContent.Trim());
        Assert.Contains("Domain administrator of example.com", page.Markup, StringComparison.Ordinal);
    }
}
