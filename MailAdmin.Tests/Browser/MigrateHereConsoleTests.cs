using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Integration.Migration;
using Microsoft.Playwright;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Browser;

/// <summary>
/// Migrate Here from the console (manual §10.2), between two real nodes of a distributed domain
/// whose users come from a real slapd: on hq's console an administrator selects Bob, who lives on
/// ny, clicks Migrate Here, watches the Home server column, and reads the Migration page. hq copies
/// at 200 KB/s, so the move of Bob's few hundred messages lasts a few seconds.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MigrateHereConsoleTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Bob = "bob.smith@company.com";

    /// <summary>Longer than the copy at 200 KB/s plus the switch and the clean-up on a loaded machine.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions MoveTimeout = new() { Timeout = 90_000 };

    private readonly SlapdFixture _slapd = new();
    private TestNode _hq = default!;
    private TestNode _ny = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", [.. NodeArgs, "--Migration:ReserveMegabytes=0", "--Migration:MaxKilobytesPerSecond=200"]);
        _ny = await TestNode.StartAsync("ny", NodeArgs);
        using var hqAdmin = await _hq.SignedInClientAsync();
        using var nyAdmin = await _ny.SignedInClientAsync();
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(hqAdmin);
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await ConnectOkAsync(nyAdmin, _hq);
        await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault(Bob) == "ny", "hq knows Bob lives on ny");
        MigrateHereTests.Seed(MigrateHereTests.MaildirOf(_ny, Bob), 300);
    }

    public async Task DisposeAsync()
    {
        await browser.CloseContextsAsync();
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task MigrateHere_BobOfNy_ShowsProgress_ThenHqAsHomeServer_AndTheMigrationPageListsItCompleted()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSteps.SignInAsync(page, _hq);
        await ConsoleSteps.WaitForConsoleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        var bob = page.GetByTestId("users-grid").Locator("tbody tr").Filter(new() { HasText = Bob });
        var home = bob.Locator("td[data-label='Home server']");
        await Assertions.Expect(home).ToHaveTextAsync("ny");
        await Assertions.Expect(page.GetByTestId("migrate-here")).ToBeDisabledAsync();

        await bob.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {Bob}" }).CheckAsync();
        await Assertions.Expect(page.GetByTestId("migrate-here")).ToBeEnabledAsync();
        await page.GetByTestId("migrate-here").ClickAsync();

        // While it moves, the column shows the phase and how far the copy is.
        await Assertions.Expect(bob.GetByTestId("user-migration-progress")).ToBeVisibleAsync();
        await Assertions.Expect(bob.GetByTestId("user-migration-phase")).ToContainTextAsync("→ hq");
        await Assertions.Expect(page.GetByTestId("cancel-migration")).ToBeEnabledAsync();

        // Then Bob lives here, and the report says how it went.
        await Assertions.Expect(home).ToHaveTextAsync("hq", MoveTimeout);
        await Assertions.Expect(bob.GetByTestId("user-migration-progress")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText($"Migration of {Bob}: Completed successfully")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("migrate-here")).ToBeDisabledAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Migration", Exact = true }).ClickAsync();
        var job = page.GetByTestId("migrations-table").Locator("tbody tr").Filter(new() { HasText = Bob });
        await Assertions.Expect(job).ToHaveCountAsync(1);
        await Assertions.Expect(job.GetByTestId("migration-state")).ToHaveTextAsync("completed");
        await Assertions.Expect(job.GetByTestId("migration-result")).ToHaveTextAsync("Completed successfully");
        await Assertions.Expect(job).ToContainTextAsync("ny → hq");
        await Assertions.Expect(job.GetByTestId("migration-size")).ToContainTextAsync("300 messages");
        await Assertions.Expect(job.GetByTestId("migration-cancel")).ToHaveCountAsync(0);
    }
}
