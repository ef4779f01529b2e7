using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Components;

public sealed class HomePageTests : IAsyncLifetime
{
    private readonly BunitContext _context = ConsoleTestContext.Create();

    public Task InitializeAsync()
    {
        _context.Services.AddSingleton(new NodeInfoService(new NodeOptions
        {
            Name = "mail1",
            PublicHost = "mail1.example.com",
            DataDir = Path.GetTempPath(),
        }, new MailAdmin.Core.Distribution.ClusterState()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public void Render_ServerReadWriteAdmin_ShowsNodeNameAndStandaloneRole()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);

        var page = _context.Render<Home>();

        Assert.Equal("mail1", page.Find("[data-testid=info-name]").TextContent.Trim());
        Assert.StartsWith("Standalone", page.Find("[data-testid=info-role]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("mail1.example.com", page.Markup, StringComparison.Ordinal);
        Assert.Contains(NodeInfoService.Version, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ServerReadWriteAdmin_ShowsWhoIsSignedIn()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);

        var page = _context.Render<Home>();

        Assert.Contains("<b>admin</b>", page.Markup, StringComparison.Ordinal);
        Assert.Contains(AdminRole.ServerReadWrite.DisplayName(), page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DomainAdmin_ShowsTheirDomain()
    {
        _context.SignIn("ann", AdminRole.DomainAdmin, "example.com");

        var page = _context.Render<Home>();

        Assert.Equal("mail1", page.Find("[data-testid=info-name]").TextContent.Trim());
        Assert.Contains("Domain administrator of example.com", page.Markup, StringComparison.Ordinal);
    }
}
