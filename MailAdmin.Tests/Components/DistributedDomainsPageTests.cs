using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>Configuration → Domains with a distributed domain (manual, chapter 5), against the real Core services.</summary>
public sealed class DistributedDomainsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;

    public Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_LocalAndDistributedDomains_DistributedColumnSaysWhichAndOnlyTheDistributedOneHasTheIcon()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        await _core.Get<DomainService>().CreateAsync(Actor.System, "local.example", CancellationToken.None);
        await MarkDistributedAsync("company.com");

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(2, page.FindAll("[data-testid=domains-table] tbody tr.mud-table-row").Count), Patience);
        var rows = page.FindAll("[data-testid=domains-table] tbody tr.mud-table-row")
            .ToDictionary(r => r.QuerySelector("td b")!.TextContent.Trim(), r => r);
        Assert.Equal("Yes", rows["company.com"].QuerySelector("[data-testid=domain-distributed]")!.TextContent.Trim());
        Assert.Equal("No", rows["local.example"].QuerySelector("[data-testid=domain-distributed]")!.TextContent.Trim());
        Assert.NotNull(rows["company.com"].QuerySelector("[data-testid=distributed-icon]"));
        Assert.Null(rows["local.example"].QuerySelector("[data-testid=distributed-icon]"));

        // This node stands alone, so the distributed domain cannot be in order.
        Assert.Equal("degraded", rows["company.com"].QuerySelector("[data-testid=distributed-icon]")!.GetAttribute("data-state"));
    }

    [Fact]
    public async Task AddMenu_ServerReadWriteAdmin_OffersLocalAndDistributedDomain()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=domains-table]"), Patience);

        await OpenAddMenuAsync(page);

        Assert.Equal("Local Domain", _popovers.Find("[data-testid=add-local-domain]").TextContent.Trim());
        Assert.Equal("Distributed Domain", _popovers.Find("[data-testid=add-distributed-domain]").TextContent.Trim());
    }

    [Fact]
    public async Task AddDistributedDomain_OpensTheWizardOnItsIntroduction()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=domains-table]"), Patience);
        await OpenAddMenuAsync(page);

        // Click, not ClickAsync: the handler waits for the wizard to close.
        _popovers.Find("[data-testid=add-distributed-domain]").Click();

        await _dialogs.WaitForAssertionAsync(() => Assert.Contains("becomes a slave", _dialogs.Find("[data-testid=wizard-introduction]").ParentElement!.TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("Add distributed domain", _dialogs.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AdminRole.ServerReadOnly, null)]
    [InlineData(AdminRole.DomainAdmin, "company.com")]
    public async Task Render_AdminWhoMayNotChangeDomains_SeesNoAddMenu(AdminRole role, string? domain)
    {
        await SetUpAsync(role, domain);
        await MarkDistributedAsync("company.com");

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=domains-table]"), Patience);
        Assert.Empty(page.FindAll("[data-testid=add-menu]"));
        Assert.Equal("Yes", page.Find("[data-testid=domain-distributed]").TextContent.Trim());
    }

    [Fact]
    public async Task Render_StandaloneNode_HasNoDistributedDomainsButton()
    {
        await SetUpAsync(AdminRole.ServerReadWrite);

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=domains-table]"), Patience);
        Assert.Empty(page.FindAll("[data-testid=distributed-domains]"));
    }

    private async Task SetUpAsync(AdminRole role, string? domain = null)
    {
        _context.SignIn("someone", role, domain);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
    }

    /// <summary>What a join leaves in the database, written directly: this node cannot join a master in a page test.</summary>
    private async Task MarkDistributedAsync(string name)
    {
        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        await db.Domains.Where(d => d.Name == name).ExecuteUpdateAsync(s => s.SetProperty(d => d.IsDistributed, true));
    }

    private IRenderedComponent<Domains> RenderPage()
    {
        _popovers = _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        return _context.Render<Domains>();
    }

    private async Task OpenAddMenuAsync(IRenderedComponent<Domains> page)
    {
        await page.Find("[data-testid=add-menu] button").ClickAsync(new());
        await _popovers.WaitForAssertionAsync(() => _popovers.Find("[data-testid=add-distributed-domain]"), Patience);
    }
}
