using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>The Distributed Domains dialog against the real Core services of a node that stands alone.</summary>
public sealed class DistributedDomainsDialogTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, nodeName: "seattle");
        await _core.MigrateAsync();
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Theory]
    [InlineData(AdminRole.ServerReadWrite)]
    [InlineData(AdminRole.ServerReadOnly)]
    public async Task Open_StandaloneNode_ShowsThisServerReadyAndNoDisconnectButton(AdminRole role)
    {
        await OpenAsync(role);

        var row = Assert.Single(_dialogs.FindAll("[data-testid=cluster-servers] tbody tr.mud-table-row"));
        var cells = row.QuerySelectorAll("td");
        Assert.StartsWith("seattle", cells[0].TextContent.Trim(), StringComparison.Ordinal);
        Assert.NotNull(cells[0].QuerySelector("[data-testid=this-server]"));
        Assert.Equal("Standalone", cells[1].TextContent.Trim());
        Assert.Equal("Ready", cells[2].TextContent.Trim());
        Assert.Empty(_dialogs.FindAll("[data-testid=disconnect-from-master]"));
        Assert.Contains("click its name to open it", _dialogs.Find("[data-testid=cluster-hint]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_ClosesTheDialog()
    {
        await OpenAsync(AdminRole.ServerReadWrite);

        await _dialogs.Find("[data-testid=cluster-close]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(() => Assert.Empty(_dialogs.FindAll("[data-testid=cluster-servers]")), Patience);
    }

    private async Task OpenAsync(AdminRole role)
    {
        var actor = new Actor(new AdminPrincipal(AdminPrincipal.LocalId("someone"), "someone", role, null), "127.0.0.1");
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<DistributedDomainsDialog> { { d => d.Actor, actor } };
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<DistributedDomainsDialog>("Distributed Domains", parameters));
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=cluster-servers]"), Patience);
    }
}
