using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The wizard against refusals a real master gives: hq the master and sea the joining server are real
/// nodes on loopback mapping users from one real slapd; the wizard runs on sea's own Core services.
/// </summary>
public sealed class DistributedDomainWizardRefusalTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Actor Admin = new(new AdminPrincipal(AdminPrincipal.LocalId("admin"), "admin", AdminRole.ServerReadWrite, null), "127.0.0.1");

    private readonly SlapdFixture _slapd = new();
    private readonly BunitContext _context = ConsoleTestContext.Create();
    private TestNode _hq = default!;
    private TestNode _sea = default!;
    private HttpClient _hqAdmin = default!;
    private HttpClient _seaAdmin = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", NodeArgs);
        _hqAdmin = await _hq.SignedInClientAsync();
        _sea = await TestNode.StartAsync("sea", NodeArgs);
        _seaAdmin = await _sea.SignedInClientAsync();
        _context.Services.AddSingleton(_sea.Services.GetRequiredService<ClusterService>());
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _hqAdmin.Dispose();
        _seaAdmin.Dispose();
        await _sea.DisposeAsync();
        await _hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task Finish_AddressesOnBothServers_ListsEachConflictWithItsHomeServer_AndStaysOnTheDomainPage()
    {
        // hq places everyone but Seattle; sea maps the whole directory, so both hold alice's mailbox, and only sea carol's.
        await SetDirectoryAsync(_hqAdmin, _slapd, placementFilter: "(!(l=Seattle))");
        await SyncAsync(_hqAdmin);
        await SetDirectoryAsync(_seaAdmin, _slapd);
        await SyncAsync(_seaAdmin);
        await OpenAtTheDomainPageAsync();

        await _dialogs.Find("[data-testid=wizard-finish]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(() => Assert.Equal("data-conflict", _dialogs.Find("[data-testid=cluster-refusal]").GetAttribute("data-code")), Patience);
        var rows = _dialogs.FindAll("[data-testid=cluster-conflicts] tbody tr")
            .Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(c => c.TextContent.Trim())))
            .ToList();
        Assert.Contains("Mailbox | alice.novak@company.com | hq", rows);
        Assert.DoesNotContain(rows, r => r.Contains("carol.jones@company.com", StringComparison.Ordinal));
        Assert.Contains("alice.novak@company.com", _dialogs.Find("[data-testid=cluster-refusal-message]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Delete or rename these on one side, then connect again.", _dialogs.Find("[data-testid=cluster-refusal-advice]").TextContent.Trim());

        // Still on the domain page, ready to try again once the conflicts are gone; nothing changed on either side.
        Assert.NotNull(_dialogs.Find("[data-testid=wizard-fingerprint]"));
        Assert.False(_dialogs.Find("[data-testid=wizard-finish]").HasAttribute("disabled"));
        Assert.Equal("standalone", await RoleAsync(_seaAdmin));
        Assert.Equal("standalone", await RoleAsync(_hqAdmin));
        Assert.False((await DomainAsync(_hqAdmin))!.Distributed);
    }

    [Fact]
    public async Task Next_WrongPasswordOnTheMaster_StaysOnTheMasterPage_AndClearsThePassword()
    {
        await SetDirectoryAsync(_hqAdmin, _slapd);
        await OpenAsync();
        await NextAsync();
        await FillAsync(MasterHost(_hq), "Wrong-Password-1");

        await NextAsync();

        await _dialogs.WaitForAssertionAsync(() => Assert.Equal("invalid-credentials", _dialogs.Find("[data-testid=cluster-refusal]").GetAttribute("data-code")), Patience);
        Assert.Contains("whole-server read/write rights on the master", _dialogs.Find("[data-testid=cluster-refusal-advice]").TextContent, StringComparison.Ordinal);
        Assert.Equal(MasterHost(_hq), _dialogs.Find("[data-testid=wizard-master]").GetAttribute("value"));
        Assert.True(string.IsNullOrEmpty(_dialogs.Find("[data-testid=wizard-password]").GetAttribute("value")));
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-fingerprint]"));
    }

    private async Task OpenAtTheDomainPageAsync()
    {
        await OpenAsync();
        await NextAsync();
        await FillAsync(MasterHost(_hq), TestNode.AdminPassword);
        await NextAsync();
        await _dialogs.WaitForAssertionAsync(() => Assert.False(_dialogs.Find("[data-testid=wizard-finish]").HasAttribute("disabled")), Patience);
    }

    private async Task OpenAsync()
    {
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<DistributedDomainWizard> { { d => d.Actor, Admin } };
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<DistributedDomainWizard>("Add distributed domain", parameters));
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-introduction]"), Patience);
    }

    private Task NextAsync() => _dialogs.Find("[data-testid=wizard-next]").ClickAsync(new());

    private async Task FillAsync(string master, string password)
    {
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-master]"), Patience);
        await _dialogs.Find("[data-testid=wizard-master]").ChangeAsync(new() { Value = master });
        await _dialogs.Find("[data-testid=wizard-username]").ChangeAsync(new() { Value = "admin" });
        await _dialogs.Find("[data-testid=wizard-password]").ChangeAsync(new() { Value = password });
    }
}
