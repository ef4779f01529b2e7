using AngleSharp.Dom;
using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>The Migration page against the real Core services: jobs as the runner saves and publishes them.</summary>
public sealed class MigrationPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 22, 0, 0, TimeSpan.Zero);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;

    private MigrationService Migrations => _core.Get<MigrationService>();

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, nodeName: "hq");
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Render_NoJobs_SaysHowToStartOne()
    {
        var page = RenderPage();

        await page.WaitForAssertionAsync(() => page.Find("[data-testid=migrations-empty]"), Patience);
        Assert.Contains(
            "No migrations yet. To move mailboxes to this server, select users on the Users page and click Migrate Here.",
            page.Find("[data-testid=migrations-empty]").TextContent.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal),
            StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=migrations-table]"));
    }

    [Fact]
    public async Task Render_CurrentAndPastJobs_ShowsEachOnesPhaseSizeResultAndError_NewestFirst()
    {
        await AddAsync(Saved("j1", "ann@company.com", MigrationStates.Completed, MigrationResults.Completed, finishedAfter: TimeSpan.FromSeconds(72), lockout: 850), Start);
        await AddAsync(Saved("j2", "bob@company.com", MigrationStates.Failed, MigrationResults.Error, error: "ny does not answer.", finishedAfter: TimeSpan.FromSeconds(5)), Start.AddMinutes(1));
        await AddAsync(Saved("j3", "dan@company.com", MigrationStates.Copying), Start.AddMinutes(2));
        Migrations.Publish(Live("j3", "dan@company.com", MigrationStates.Copying, 0.3, Start.AddMinutes(2)));

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(3, Rows(page).Count), Patience);
        Assert.Equal(["dan@company.com", "bob@company.com", "ann@company.com"], Rows(page).Select(r => Cell(r, "migration-user")));
        Assert.Equal(["copying", "failed", "completed"], Rows(page).Select(r => Cell(r, "migration-state")));
        var (dan, bob, ann) = (Rows(page)[0], Rows(page)[1], Rows(page)[2]);

        Assert.Equal("30", dan.QuerySelector("[data-testid=migration-progress]")!.GetAttribute("aria-valuenow"));
        Assert.Equal("12 MB of 40 MB, 900 of 3,000 messages", Cell(dan, "migration-size"));
        Assert.Contains("ny → hq", dan.TextContent, StringComparison.Ordinal);

        Assert.Null(ann.QuerySelector("[data-testid=migration-progress]"));
        Assert.Equal("40 MB, 3,000 messages", Cell(ann, "migration-size"));
        Assert.Equal("Completed successfully", Cell(ann, "migration-result"));
        Assert.Contains("00:01:12", ann.TextContent, StringComparison.Ordinal);
        Assert.Contains("850 ms", ann.TextContent, StringComparison.Ordinal);
        Assert.Contains("2025-03-01 22:00:00", ann.TextContent, StringComparison.Ordinal);

        Assert.Equal("Error", Cell(bob, "migration-result"));
        Assert.Equal("ny does not answer.", Cell(bob, "migration-error"));
        Assert.Contains("mud-chip-color-error", bob.QuerySelector("[data-testid=migration-state]")!.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelButton_OnlyForJobsThatCanStillBeCanceled()
    {
        await AddAsync(Saved("j1", "ann@company.com", MigrationStates.Completed, MigrationResults.Completed, finishedAfter: TimeSpan.FromSeconds(3)), Start);
        await AddAsync(Saved("j2", "bob@company.com", MigrationStates.Switching), Start.AddMinutes(1));
        await AddAsync(Saved("j3", "dan@company.com", MigrationStates.Copying), Start.AddMinutes(2));
        await AddAsync(Saved("j4", "erin@company.com", MigrationStates.Queued), Start.AddMinutes(3));

        var page = RenderPage();

        await page.WaitForAssertionAsync(() => Assert.Equal(4, Rows(page).Count), Patience);
        Assert.Equal(
            ["erin@company.com", "dan@company.com"],
            Rows(page).Where(r => r.QuerySelector("[data-testid=migration-cancel]") is not null).Select(r => Cell(r, "migration-user")));
    }

    [Fact]
    public async Task CancelButton_Clicked_AsksTheJobToStop()
    {
        await AddAsync(Saved("j3", "dan@company.com", MigrationStates.Copying), Start);
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page)), Patience);

        await page.Find("[data-testid=migration-cancel]").ClickAsync(new());

        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        Assert.True((await db.MigrationJobs.SingleAsync(j => j.Id == "j3")).CancelRequested);
    }

    [Fact]
    public async Task Changed_ARunningJob_UpdatesItsRowLive()
    {
        await AddAsync(Saved("j3", "dan@company.com", MigrationStates.Copying), Start);
        Migrations.Publish(Live("j3", "dan@company.com", MigrationStates.Copying, 0.3, Start));
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Single(Rows(page)), Patience);

        Migrations.Publish(Live("j3", "dan@company.com", MigrationStates.Switching, 1, Start));

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal("switching", Cell(Rows(page)[0], "migration-state"));
            Assert.Equal("100", Rows(page)[0].QuerySelector("[data-testid=migration-progress]")!.GetAttribute("aria-valuenow"));
            Assert.Null(Rows(page)[0].QuerySelector("[data-testid=migration-cancel]"));
        }, Patience);
    }

    [Fact]
    public async Task Changed_AJobStartedAfterTheFirstLoad_AppearsAtTheTop()
    {
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => page.Find("[data-testid=migrations-empty]"), Patience);

        await AddAsync(Saved("j3", "dan@company.com", MigrationStates.Queued), Start);
        Migrations.Publish(Live("j3", "dan@company.com", MigrationStates.Queued, 0, Start));

        await page.WaitForAssertionAsync(() => Assert.Equal("dan@company.com", Cell(Assert.Single(Rows(page)), "migration-user")), Patience);
    }

    [Fact]
    public async Task DomainAdmin_SeesOnlyTheJobsOfTheirDomain()
    {
        await using var context = ConsoleTestContext.Create();
        await using var core = ConsoleCore.Add(context, nodeName: "hq");
        context.SignIn("ann", AdminRole.DomainAdmin, "company.com");
        await core.MigrateAsync();
        await AddAsync(core, Saved("j1", "bob@company.com", MigrationStates.Copying), Start);
        await AddAsync(core, Saved("j2", "zoe@company.org", MigrationStates.Copying), Start.AddMinutes(1));
        context.Render<MudPopoverProvider>();

        var page = context.Render<MigrationPage>();

        await page.WaitForAssertionAsync(() => Assert.Equal("bob@company.com", Cell(Assert.Single(Rows(page)), "migration-user")), Patience);
    }

    private static MigrationJob Saved(
        string id, string user, string state, string? result = null, string? error = null, TimeSpan? finishedAfter = null, long? lockout = null) => new()
        {
            Id = id,
            Address = user,
            DirectoryId = "id",
            Source = "ny",
            Target = "hq",
            State = state,
            StartedBy = "local:admin",
            Result = result,
            Error = error,
            BytesTotal = 40 * 1024 * 1024,
            BytesCopied = result == MigrationResults.Completed ? 40 * 1024 * 1024 : 0,
            MessagesTotal = 3000,
            MessagesCopied = result == MigrationResults.Completed ? 3000 : 0,
            LockoutMilliseconds = lockout,
            FinishedAt = finishedAfter is { } after ? Start + after : null,
        };

    private static MigrationInfo Live(string id, string user, string state, double progress, DateTimeOffset createdAt) =>
        new(id, user, "ny", "hq", state, progress, (long)(progress * 40 * 1024 * 1024), 40 * 1024 * 1024, (long)(progress * 3000), 3000,
            createdAt, createdAt, null, null, null, null, "local:admin");

    private Task AddAsync(MigrationJob job, DateTimeOffset createdAt) => AddAsync(_core, job, createdAt);

    private static async Task AddAsync(ConsoleCore core, MigrationJob job, DateTimeOffset createdAt)
    {
        job.CreatedAt = createdAt;
        job.StartedAt = createdAt;
        if (job.FinishedAt is { } finished)
        {
            job.FinishedAt = createdAt + (finished - Start);
        }

        await using var db = await core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        db.MigrationJobs.Add(job);
        await db.SaveChangesAsync();
    }

    private IRenderedComponent<MigrationPage> RenderPage()
    {
        _context.Render<MudPopoverProvider>();
        return _context.Render<MigrationPage>();
    }

    private static List<IElement> Rows(IRenderedComponent<MigrationPage> page) =>
        [.. page.FindAll("[data-testid=migrations-table] tbody tr.mud-table-row")];

    private static string Cell(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();
}
