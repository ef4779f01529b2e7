using AngleSharp.Dom;
using Bunit;
using MailAdmin.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The audit log page against the real Core services and a real SQLite
/// database in a temporary folder, as a signed-in whole-server administrator.
/// </summary>
public sealed class AuditLogPageTests : IAsyncLifetime
{
    // Generous: a passing test never waits this long, but a busy two-core CI
    // machine compiling EF queries for the first time can be slow.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-auditpage-{Guid.NewGuid():N}");
    private readonly BunitContext _context = ConsoleTestContext.Create();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    // Writes entries at the fake clock's time, through the same database as the
    // page. The container keeps the system TimeProvider: MudBlazor's debounced
    // text fields take theirs from it, and a fake one would never fire the filter.
    private AuditLog _seed = default!;

    public async Task InitializeAsync()
    {
        var settings = NodeSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Node:Name", "node1"), new("Node:DataDir", _dataDir)])
            .Build());
        _context.Services.AddMailAdminCore(settings);
        _context.SignIn("admin", AdminRole.ServerReadWrite);

        await _context.Services.GetRequiredService<NodeDatabase>().MigrateAsync(CancellationToken.None);
        _seed = new AuditLog(_context.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>(), _clock);
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Render_SeveralEntries_ShowsThemNewestFirst()
    {
        await SeedAsync();

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);
        var rows = Rows(page);
        Assert.Equal(
            ["account.change-password", "session.login", "session.login", "admins.create-local"],
            rows.Select(r => Cells(r)[3]));
        Assert.Equal(["2026-11-27 09:03:00", "local:admin", "192.0.2.1"], Cells(rows[0])[..3]);
        Assert.Equal(["local:mallory", "198.51.100.9", "session.login", "local:mallory", "invalid-credentials"], Cells(rows[1])[1..]);
        Assert.Equal(["2026-11-27 09:00:00", "system", "local", "admins.create-local", "local:admin", "success"], Cells(rows[3]));
    }

    [Fact]
    public async Task Render_ResultColumn_ShowsSuccessAndFailureCodesAsChips()
    {
        await SeedAsync();

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);
        var chips = page.FindAll("tbody .mud-chip");
        Assert.Equal(
            ["wrong-current-password", "invalid-credentials", "success", "success"],
            chips.Select(c => c.TextContent.Trim()));
        Assert.Contains("mud-chip-color-error", chips[0].ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-chip-color-error", chips[1].ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-chip-color-success", chips[2].ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActionFilter_Typed_ReloadsWithOnlyMatchingEntries()
    {
        await SeedAsync();
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);

        await page.Find("[data-testid=audit-action]").InputAsync("session.");

        await page.WaitForAssertionAsync(() => Assert.Equal(2, Rows(page).Count), Patience);
        Assert.All(Rows(page), r => Assert.Equal("session.login", Cells(r)[3]));
        Assert.Equal(["local:mallory", "local:admin"], Rows(page).Select(r => Cells(r)[1]));
    }

    [Fact]
    public async Task ActorFilter_Typed_ReloadsWithOnlyMatchingEntries()
    {
        await SeedAsync();
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);

        await page.Find("[data-testid=audit-actor]").InputAsync("mallory");

        await page.WaitForAssertionAsync(() => Assert.Equal("local:mallory", Cells(Assert.Single(Rows(page)))[1]), Patience);
    }

    [Fact]
    public async Task ActionFilter_MatchesNothing_ShowsEmptyState()
    {
        await SeedAsync();
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);

        await page.Find("[data-testid=audit-action]").InputAsync("queue.");

        await page.WaitForAssertionAsync(() => Assert.Contains("No entries match these filters", page.Markup, StringComparison.Ordinal), Patience);
        Assert.Empty(Rows(page));
    }

    [Fact]
    public async Task ActionFilter_Cleared_ShowsEveryEntryAgain()
    {
        await SeedAsync();
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);
        await page.Find("[data-testid=audit-action]").InputAsync("admins.");
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page)), Patience);

        await page.Find("[data-testid=audit-action]").InputAsync(string.Empty);

        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);
    }

    [Fact]
    public async Task Render_EmptyLog_ShowsEmptyState()
    {
        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Contains("No entries match these filters", page.Markup, StringComparison.Ordinal), Patience);
        Assert.Empty(Rows(page));
    }

    private IRenderedComponent<AuditLogPage> RenderPage()
    {
        _context.Render<MudPopoverProvider>();
        return _context.Render<AuditLogPage>();
    }

    private async Task SeedAsync()
    {
        await _seed.RecordAsync("system", "local", "admins.create-local", "local:admin", AuditLog.Success, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _seed.RecordAsync("local:admin", "192.0.2.1", "session.login", "local:admin", AuditLog.Success, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _seed.RecordAsync("local:mallory", "198.51.100.9", "session.login", "local:mallory", "invalid-credentials", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _seed.RecordAsync("local:admin", "192.0.2.1", "account.change-password", "local:admin", "wrong-current-password", CancellationToken.None);
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<AuditLogPage> page) =>
        page.FindAll("tbody tr.mud-table-row");

    private static string[] Cells(IElement row) =>
        [.. row.QuerySelectorAll("td").Select(c => c.TextContent.Trim())];
}
