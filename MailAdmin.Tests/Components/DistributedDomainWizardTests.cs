using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>Add → Distributed Domain (manual, section 5.1), driven against the real Core services of a node that stands alone.</summary>
public sealed class DistributedDomainWizardTests : IAsyncLifetime
{
    private const string Password = "Master-Secret-1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly Actor Admin = new(new AdminPrincipal(AdminPrincipal.LocalId("admin"), "admin", AdminRole.ServerReadWrite, null), "127.0.0.1");

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context);
        await _core.MigrateAsync();
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Open_ShowsTheIntroductionFirst()
    {
        await OpenAsync();

        var introduction = _dialogs.Find("[data-testid=wizard-introduction]").ParentElement!.TextContent;
        Assert.Contains("becomes a slave", introduction, StringComparison.Ordinal);
        Assert.Contains("copied from the master with its configuration", introduction, StringComparison.Ordinal);
        Assert.Contains("same directory service, that domain is connected instead and keeps its mailboxes", Flat(introduction), StringComparison.Ordinal);
        Assert.Contains("The master becomes the domain's gateway", introduction, StringComparison.Ordinal);
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-back]"));
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-finish]"));
    }

    [Fact]
    public async Task Next_FromTheIntroduction_AsksForTheMasterAndAnAdministratorOfIt()
    {
        await OpenAsync();

        await NextAsync();

        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-master]"), Patience);
        Assert.Equal("Master server", Label("wizard-master"));
        Assert.Equal("Username", Label("wizard-username"));
        Assert.Equal("Password", Label("wizard-password"));
        Assert.Equal("password", _dialogs.Find("[data-testid=wizard-password]").GetAttribute("type"));
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-introduction]"));
    }

    [Fact]
    public async Task Next_WithEmptyAnswers_StaysOnTheMasterPageAndSaysWhatIsMissing()
    {
        await OpenAsync();
        await NextAsync();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-master]"), Patience);

        // Nothing reaches the master: Core would be asked only with every answer given.
        await NextAsync();

        await _dialogs.WaitForAssertionAsync(() => Assert.StartsWith("Enter the master server's address", Helper("wizard-master"), StringComparison.Ordinal), Patience);
        Assert.Equal("Enter the user name of an administrator of the master.", Helper("wizard-username"));
        Assert.Equal("Enter the password of the master's administrator.", Helper("wizard-password"));
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-fingerprint]"));
        Assert.Empty(_dialogs.FindAll("[data-testid=cluster-refusal]"));
    }

    [Fact]
    public async Task Next_WithAMalformedAddress_SaysWhatAnAddressLooksLike()
    {
        await OpenAsync();
        await NextAsync();
        await FillAsync("mail.company.com:http");

        await NextAsync();

        await _dialogs.WaitForAssertionAsync(
            () => Assert.StartsWith("'mail.company.com:http' is not a server address", Helper("wizard-master"), StringComparison.Ordinal), Patience);
        Assert.Empty(_dialogs.FindAll("[data-testid=wizard-fingerprint]"));
    }

    [Fact]
    public async Task Password_Typed_IsNeverShownAsText()
    {
        await OpenAsync();
        await NextAsync();

        await FillAsync("mail.company.com:http");
        await NextAsync();
        await BackAsync();
        await NextAsync();

        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-password]"), Patience);
        Assert.DoesNotContain(Password, _dialogs.Find(".mud-dialog").TextContent, StringComparison.Ordinal);
        Assert.All(_dialogs.FindAll("input").Where(i => i.GetAttribute("value") == Password), i => Assert.Equal("password", i.GetAttribute("type")));
    }

    [Fact]
    public async Task Back_FromTheMasterPage_ReturnsToTheIntroduction()
    {
        await OpenAsync();
        await NextAsync();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-master]"), Patience);

        await BackAsync();

        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-introduction]"), Patience);
    }

    [Fact]
    public async Task Cancel_ClosesTheWizard()
    {
        await OpenAsync();

        await _dialogs.Find("[data-testid=wizard-cancel]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(() => Assert.Empty(_dialogs.FindAll("[data-testid=wizard-stepper]")), Patience);
    }

    [Fact]
    public async Task Next_UnreachableMaster_ShowsInaccessibleHostOnTheMasterPage()
    {
        await OpenAsync();
        await NextAsync();
        await FillAsync("127.0.0.1:1");

        await NextAsync();

        await _dialogs.WaitForAssertionAsync(() => Assert.Equal("inaccessible-host", _dialogs.Find("[data-testid=cluster-refusal]").GetAttribute("data-code")), Patience);
        Assert.NotNull(_dialogs.Find("[data-testid=wizard-master]"));
        Assert.Contains("peer port", _dialogs.Find("[data-testid=cluster-refusal-advice]").TextContent, StringComparison.Ordinal);
        Assert.False(_dialogs.Find("[data-testid=wizard-next]").HasAttribute("disabled"));
    }

    private static string Flat(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private async Task OpenAsync()
    {
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<DistributedDomainWizard> { { d => d.Actor, Admin } };
        await _dialogs.InvokeAsync(() => dialogs.ShowAsync<DistributedDomainWizard>("Add distributed domain", parameters));
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-introduction]"), Patience);
    }

    private string Label(string field) =>
        _dialogs.Find($"label[for={_dialogs.Find($"[data-testid={field}]").Id}]").TextContent.Trim();

    /// <summary>The text under a field: its help, or what is wrong with its value.</summary>
    private string Helper(string field) =>
        _dialogs.Find($"[id='{_dialogs.Find($"[data-testid={field}]").GetAttribute("aria-describedby")}']").TextContent.Trim();

    private Task NextAsync() => _dialogs.Find("[data-testid=wizard-next]").ClickAsync(new());

    private Task BackAsync() => _dialogs.Find("[data-testid=wizard-back]").ClickAsync(new());

    private async Task FillAsync(string master)
    {
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=wizard-master]"), Patience);
        await _dialogs.Find("[data-testid=wizard-master]").ChangeAsync(new() { Value = master });
        await _dialogs.Find("[data-testid=wizard-username]").ChangeAsync(new() { Value = "admin" });
        await _dialogs.Find("[data-testid=wizard-password]").ChangeAsync(new() { Value = Password });
    }
}
