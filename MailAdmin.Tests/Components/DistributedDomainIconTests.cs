using Bunit;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Pages;

namespace MailAdmin.Tests.Components;

/// <summary>The icon next to a distributed domain's name (manual, figure 5.2).</summary>
public sealed class DistributedDomainIconTests : IAsyncLifetime
{
    private static readonly ClusterServerInfo Master = new("mail", "mail.company.com", true, false, "ready", [], "connected", "https://mail.company.com/");
    private static readonly ClusterServerInfo Seattle = new("seattle", "seattle.company.com", false, true, "ready", [], "connected", "https://seattle.company.com/");

    private readonly BunitContext _context = ConsoleTestContext.Create();

    public Task InitializeAsync()
    {
        _context.Render<MudBlazor.MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public void Render_ConnectedAndEveryServerReady_IsRed()
    {
        var icon = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master, Seattle])).Find("[data-testid=distributed-icon]");

        Assert.Contains("mud-error-text", icon.ClassList);
        Assert.Equal("connected", icon.GetAttribute("data-state"));
        Assert.Equal("Distributed domain: connected, every server is ready.", icon.GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_AServerUnreachable_IsAWarningThatNamesIt()
    {
        var newYork = new ClusterServerInfo("newyork", "newyork.company.com", false, false, "error", ["connection refused"], "unreachable", "https://newyork.company.com/");

        var icon = Render(new ClusterInfo(NodeRole.Master, null, [Master with { IsLocal = true }, newYork])).Find("[data-testid=distributed-icon]");

        Assert.Contains("mud-warning-text", icon.ClassList);
        Assert.DoesNotContain("mud-error-text", icon.ClassList);
        Assert.Equal("Distributed domain with a problem: newyork is unreachable (connection refused).", icon.GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_MasterUnreachableFromASlave_NamesTheMaster()
    {
        var icon = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master with { Status = "error", DomainStatus = "unreachable" }, Seattle]))
            .Find("[data-testid=distributed-icon]");

        Assert.Contains("mud-warning-text", icon.ClassList);
        Assert.Equal("Distributed domain with a problem: mail is unreachable.", icon.GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_ThisServerStandalone_IsAWarning()
    {
        var self = new ClusterServerInfo("seattle", "seattle.company.com", false, true, "ready", [], "standalone", string.Empty);

        var icon = Render(new ClusterInfo(NodeRole.Standalone, null, [self])).Find("[data-testid=distributed-icon]");

        Assert.Contains("mud-warning-text", icon.ClassList);
        Assert.Equal("Distributed domain, but this server is not connected to a master.", icon.GetAttribute("aria-label"));
    }

    private IRenderedComponent<DistributedDomainIcon> Render(ClusterInfo cluster) =>
        _context.Render<DistributedDomainIcon>(p => p.Add(c => c.Cluster, cluster));
}
