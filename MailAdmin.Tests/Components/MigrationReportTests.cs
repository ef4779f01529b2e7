using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Web.Components.Layout;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The report after each mailbox (manual §10.2: result, time, size), as the console's layout
/// shows it on whatever page is open, to the administrators who may see the user.
/// </summary>
public sealed class MigrationReportTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 22, 0, 0, TimeSpan.Zero);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;

    private MigrationService Migrations => _core.Get<MigrationService>();

    public Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, nodeName: "hq");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Finished_Completed_ShowsResultSizeAndTime_AsASuccess()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        var layout = await RenderLayoutAsync();

        Migrations.RaiseFinished(Finished("bob@company.com", MigrationStates.Completed, MigrationResults.Completed, null));

        await layout.WaitForAssertionAsync(() => Assert.Contains(
            "Migration of bob@company.com: Completed successfully — 40 MB, 1,200 messages in 00:01:12",
            layout.Find(".mud-snackbar").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("mud-alert-filled-success", layout.Find(".mud-snackbar").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_Failed_ShowsTheErrorAndWhereTheMailboxStays_AsAnError()
    {
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        var layout = await RenderLayoutAsync();

        Migrations.RaiseFinished(Finished("bob@company.com", MigrationStates.Failed, MigrationResults.Error, "ny does not answer."));

        await layout.WaitForAssertionAsync(() => Assert.Contains(
            "Migration of bob@company.com: Error — 40 MB, 1,200 messages in 00:01:12. ny does not answer. The mailbox stays on ny, unchanged.",
            layout.Find(".mud-snackbar").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("mud-alert-filled-error", layout.Find(".mud-snackbar").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_AUserOfAnotherDomain_IsNotShownToADomainAdmin()
    {
        _context.SignIn("ann", AdminRole.DomainAdmin, "company.com");
        var layout = await RenderLayoutAsync();

        Migrations.RaiseFinished(Finished("zoe@company.org", MigrationStates.Completed, MigrationResults.Completed, null));
        Migrations.RaiseFinished(Finished("bob@company.com", MigrationStates.Canceled, MigrationResults.Canceled, null));

        await layout.WaitForAssertionAsync(() => Assert.Contains("Migration of bob@company.com: Canceled", layout.Find(".mud-snackbar").TextContent, StringComparison.Ordinal), Patience);
        Assert.Single(layout.FindAll(".mud-snackbar"));
    }

    /// <summary>Renders the layout around a page; sign in first, since services are fixed from here on.</summary>
    private async Task<IRenderedComponent<MainLayout>> RenderLayoutAsync()
    {
        await _core.MigrateAsync();
        return _context.Render<MainLayout>(parameters => parameters.Add(l => l.Body, "<p>page</p>"));
    }

    private static MigrationInfo Finished(string user, string state, string result, string? error) =>
        new($"job-{user}", user, "ny", "hq", state, state == MigrationStates.Completed ? 1 : 0.4,
            40 * 1024 * 1024, 40 * 1024 * 1024, 1200, 1200, Start, Start, Start.AddSeconds(72), result, error, 900, "local:admin");
}
