using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Browser;

/// <summary>
/// A branch office joins and leaves a distributed domain from its own console (manual, sections 5.1
/// and 7): hq is a real master whose company.com maps users from a real slapd, ny a real clean
/// server; Chromium drives ny's console.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DistributedDomainTests(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>A second domain the master could distribute, so the wizard offers a real choice.</summary>
    private const string OtherDomain = "company.org";

    private readonly SlapdFixture _slapd = new();
    private TestNode _hq = default!;
    private TestNode _ny = default!;
    private HttpClient _hqAdmin = default!;
    private HttpClient _nyAdmin = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", NodeArgs);
        _hqAdmin = await _hq.SignedInClientAsync();
        await SetDirectoryAsync(_hqAdmin, _slapd);
        await SyncAsync(_hqAdmin);
        await SetDirectoryAsync(_hqAdmin, _slapd, domain: OtherDomain);
        _ny = await TestNode.StartAsync("ny", NodeArgs);
        _nyAdmin = await _ny.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        _nyAdmin.Dispose();
        _hqAdmin.Dispose();
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task Wizard_JoinsTheMaster_ServersAndUsersAppear_ThenDisconnect_LeavesBothStandalone()
    {
        var page = await SignInToNyAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Domains", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("domains-empty")).ToBeVisibleAsync();

        await page.GetByTestId("add-menu").ClickAsync();
        await page.GetByTestId("add-distributed-domain").ClickAsync();
        var wizard = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(wizard.GetByTestId("wizard-introduction")).ToContainTextAsync("connects this server to a distributed domain");
        await Assertions.Expect(wizard).ToContainTextAsync("This server becomes a slave of the master server you name on the next page.");

        await wizard.GetByTestId("wizard-next").ClickAsync();
        await wizard.GetByTestId("wizard-master").FillAsync(MasterHost(_hq));
        await wizard.GetByTestId("wizard-username").FillAsync("admin");
        await wizard.GetByTestId("wizard-password").FillAsync(TestNode.AdminPassword);
        await wizard.GetByTestId("wizard-next").ClickAsync();

        // The fingerprint shown is the master's own, as its administrator would read it out.
        var fingerprint = _hq.Services.GetRequiredService<IClusterIdentity>().Fingerprint;
        await Assertions.Expect(wizard.GetByTestId("wizard-fingerprint")).ToHaveTextAsync(fingerprint);
        await Assertions.Expect(wizard.GetByTestId("wizard-fingerprint-check")).ToBeVisibleAsync();
        await Assertions.Expect(wizard.GetByTestId("wizard-finish")).ToBeDisabledAsync();
        await wizard.GetByTestId("wizard-domain").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = OtherDomain, Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = Domain, Exact = true }).ClickAsync();
        await wizard.GetByTestId("wizard-finish").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText($"This server is now a slave of hq ({MasterHost(_hq)}), and {Domain} is distributed.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("node-role")).ToHaveTextAsync("Slave");
        var row = DomainRow(page);
        await Assertions.Expect(row.GetByTestId("domain-distributed")).ToHaveTextAsync("Yes");
        await Assertions.Expect(row.GetByTestId("distributed-icon")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(row.GetByTestId("distributed-icon")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-error-text"));
        await Assertions.Expect(page.GetByTestId("domains-table")).Not.ToContainTextAsync(OtherDomain);

        await page.GetByTestId("distributed-domains").ClickAsync();
        var cluster = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(cluster.GetByTestId("cluster-master")).ToContainTextAsync("Master server: hq");
        await Assertions.Expect(ServerRow(cluster, "hq")).ToContainTextAsync("Master");
        await Assertions.Expect(ServerRow(cluster, "hq")).ToContainTextAsync("Ready");
        await Assertions.Expect(ServerRow(cluster, "ny")).ToContainTextAsync("Slave");
        await Assertions.Expect(ServerRow(cluster, "ny")).ToContainTextAsync("Ready");
        await Assertions.Expect(ServerRow(cluster, "ny").GetByTestId("this-server")).ToBeVisibleAsync();
        await Assertions.Expect(cluster.GetByTestId("cluster-servers").Locator("tbody tr")).ToHaveCountAsync(2);
        await cluster.GetByTestId("cluster-close").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // Replication brings hq's users within a second or two; like an administrator, open the list once they are there.
        await EventuallyAsync(async () => (await HomesAsync(_nyAdmin)).Count == CompanyDirectory.PeopleCount, "ny knows every user of hq");
        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        var users = page.GetByTestId("users-grid");
        await Assertions.Expect(users.Locator("tbody tr")).ToHaveCountAsync(CompanyDirectory.PeopleCount);
        await Assertions.Expect(users.Locator("thead")).ToContainTextAsync("Home server");
        Assert.All(await HomeServerCells(users).AllInnerTextsAsync(), home => Assert.Equal("hq", home.Trim()));
        await Assertions.Expect(users.Locator("tbody tr").Filter(new() { HasText = "alice.novak@company.com" })).ToContainTextAsync("hq");
        await page.GetByTestId("users-this-server").ClickAsync();
        await Assertions.Expect(page.GetByTestId("users-empty")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Domains", Exact = true }).ClickAsync();
        await page.GetByTestId("distributed-domains").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByTestId("disconnect-from-master").ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "Disconnect this server from hq?" });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("This server was disconnected from its master")).ToBeVisibleAsync();
        await Assertions.Expect(DomainRow(page).GetByTestId("domain-distributed")).ToHaveTextAsync("No");
        await Assertions.Expect(DomainRow(page).GetByTestId("distributed-icon")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("distributed-domains")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("node-role")).ToHaveTextAsync("Standalone");
        Assert.Equal("standalone", await RoleAsync(_nyAdmin));

        // ny was the last slave: the master stands alone again.
        await EventuallyAsync(async () => await RoleAsync(_hqAdmin) == "standalone", "hq is standalone again");
        Assert.False((await DomainAsync(_hqAdmin))!.Distributed);
    }

    [Fact]
    public async Task Wizard_ThisServersOwnAddress_IsRefusedOnTheMasterPage()
    {
        var page = await SignInToNyAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Domains", Exact = true }).ClickAsync();
        await page.GetByTestId("add-menu").ClickAsync();
        await page.GetByTestId("add-distributed-domain").ClickAsync();
        var wizard = page.GetByRole(AriaRole.Dialog);
        await wizard.GetByTestId("wizard-next").ClickAsync();
        var own = $"127.0.0.1:{_ny.PeerPort}";
        await wizard.GetByTestId("wizard-master").FillAsync(own);
        await wizard.GetByTestId("wizard-username").FillAsync("admin");
        await wizard.GetByTestId("wizard-password").FillAsync(TestNode.AdminPassword);

        await wizard.GetByTestId("wizard-next").ClickAsync();

        var refusal = wizard.GetByTestId("cluster-refusal");
        await Assertions.Expect(refusal).ToHaveAttributeAsync("data-code", "self-connect");
        await Assertions.Expect(refusal.GetByTestId("cluster-refusal-message")).ToHaveTextAsync($"{own} is this server itself. Enter the address of the master server.");
        await Assertions.Expect(refusal.GetByTestId("cluster-refusal-advice")).ToHaveTextAsync("This is the server you are signed in to: enter the master's address.");
        await Assertions.Expect(wizard.GetByTestId("wizard-master")).ToHaveValueAsync(own);
        await Assertions.Expect(wizard.GetByTestId("wizard-fingerprint")).ToHaveCountAsync(0);
        await Assertions.Expect(wizard.GetByTestId("wizard-next")).ToBeEnabledAsync();
        Assert.Equal("standalone", await RoleAsync(_nyAdmin));
    }

    private static ILocator DomainRow(IPage page) =>
        page.GetByTestId("domains-table").Locator("tbody tr").Filter(new() { HasText = Domain });

    private static ILocator ServerRow(ILocator dialog, string server) =>
        dialog.GetByTestId("cluster-servers").Locator("tbody tr").Filter(new() { Has = dialog.Page.GetByText(server, new() { Exact = true }) });

    /// <summary>The grid's Home server column, found by its title (a selection column comes first for those who may migrate).</summary>
    private static ILocator HomeServerCells(ILocator grid) => grid.Locator("tbody tr td[data-label='Home server']");

    private async Task<IPage> SignInToNyAsync()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _ny);
        await ConsoleSteps.WaitForConsoleAsync(page);
        return page;
    }
}
