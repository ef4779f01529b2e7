using AngleSharp.Dom;
using Bunit;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Pages;

namespace MailAdmin.Tests.Components;

/// <summary>The Distributed Domains dialog's table of servers and its disconnect button, for each role of this server.</summary>
public sealed class DistributedServerListTests : IAsyncLifetime
{
    private static readonly ClusterServerInfo Master = new("mail", "mail.company.com", true, false, "ready", [], "connected", "https://mail.company.com/");
    private static readonly ClusterServerInfo Seattle = new("seattle", "seattle.company.com", false, true, "ready", [], "connected", "https://seattle.company.com/");
    private static readonly ClusterServerInfo NewYork = new("newyork", "newyork.company.com", false, false, "error",
        ["Not reachable since 10:02 UTC", "Connection refused"], "unreachable", "https://newyork.company.com/");

    private readonly BunitContext _context = ConsoleTestContext.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public void Render_Slave_ListsEveryServerWithRoleStatusAndThisServerMarked()
    {
        var list = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master, Seattle, NewYork]), canDisconnect: true);

        var rows = list.FindAll("[data-testid=cluster-servers] tbody tr.mud-table-row");
        Assert.Equal(3, rows.Count);
        Assert.Equal(("mail", "Master", "Ready"), Row(rows[0]));
        Assert.Equal(("seattle", "Slave", "Ready"), Row(rows[1]));
        Assert.Equal(("newyork", "Slave", "Error"), Row(rows[2]));
        Assert.Equal(["Not reachable since 10:02 UTC", "Connection refused"], rows[2].QuerySelectorAll("[data-testid=server-error]").Select(e => e.TextContent.Trim()));
        var marked = Assert.Single(list.FindAll("[data-testid=this-server]"));
        Assert.Equal("This server", marked.TextContent.Trim());
        Assert.NotNull(rows[1].QuerySelector("[data-testid=this-server]"));
    }

    [Fact]
    public void Render_AnyServer_NameOpensItsOwnConsoleInANewTab()
    {
        var list = Render(new ClusterInfo(NodeRole.Master, null, [Master with { IsLocal = true }, Seattle with { IsLocal = false }]), canDisconnect: true);

        var link = list.FindAll("[data-testid=cluster-servers] a").Single(a => a.TextContent.Trim() == "seattle");
        Assert.Equal("https://seattle.company.com/", link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Contains("noopener", link.GetAttribute("rel") ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SlaveWithWholeServerRights_OffersDisconnectFromMaster()
    {
        var disconnects = 0;
        var list = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master, Seattle]), canDisconnect: true, onDisconnect: () => disconnects++);

        var button = list.Find("[data-testid=disconnect-from-master]");
        Assert.Equal("Disconnect this server from master", button.TextContent.Trim());
        button.Click();
        Assert.Equal(1, disconnects);
        Assert.Empty(list.FindAll("[data-testid=cluster-hint]"));
    }

    [Fact]
    public void Render_SlaveWhileDisconnecting_DisablesTheButton()
    {
        var list = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master, Seattle]), canDisconnect: true, busy: true);

        Assert.True(list.Find("[data-testid=disconnect-from-master]").HasAttribute("disabled"));
    }

    [Fact]
    public void Render_SlaveForReadOnlyAdmin_HasNoDisconnectButton()
    {
        var list = Render(new ClusterInfo(NodeRole.Slave, "mail", [Master, Seattle]), canDisconnect: false);

        Assert.Empty(list.FindAll("[data-testid=disconnect-from-master]"));
        Assert.Contains("whole-server read/write", list.Find("[data-testid=cluster-hint]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NodeRole.Master)]
    [InlineData(NodeRole.Standalone)]
    public void Render_MasterOrStandalone_HasNoDisconnectButtonButSaysWhereToDisconnect(NodeRole role)
    {
        var self = role == NodeRole.Master ? Master with { IsLocal = true } : new ClusterServerInfo("mail", "mail.company.com", false, true, "ready", [], "standalone", string.Empty);
        var list = Render(new ClusterInfo(role, null, role == NodeRole.Master ? [self, Seattle with { IsLocal = false }] : [self]), canDisconnect: true);

        Assert.Empty(list.FindAll("[data-testid=disconnect-from-master]"));
        Assert.Contains("A server is disconnected from its own administration console: click its name to open it.",
            list.Find("[data-testid=cluster-hint]").TextContent, StringComparison.Ordinal);
        Assert.Equal(role == NodeRole.Master ? "Master" : "Standalone", Row(list.FindAll("[data-testid=cluster-servers] tbody tr.mud-table-row")[0]).Role);
    }

    private IRenderedComponent<DistributedServerList> Render(ClusterInfo cluster, bool canDisconnect, bool busy = false, Action? onDisconnect = null) =>
        _context.Render<DistributedServerList>(p => p
            .Add(c => c.Cluster, cluster)
            .Add(c => c.CanDisconnect, canDisconnect)
            .Add(c => c.Busy, busy)
            .Add(c => c.OnDisconnect, onDisconnect ?? (() => { })));

    private static (string Name, string Role, string Status) Row(IElement row)
    {
        var cells = row.QuerySelectorAll("td");
        var name = cells[0].QuerySelector("a, b")!.TextContent.Trim();
        var status = cells[2].QuerySelector("p")!.TextContent.Trim();
        return (name, cells[1].TextContent.Trim(), status);
    }
}
