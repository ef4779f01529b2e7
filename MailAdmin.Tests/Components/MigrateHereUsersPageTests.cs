using AngleSharp.Dom;
using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>
/// Migrate Here on Accounts → Users (manual §10.2) against the real Core services: which
/// selections the buttons accept, and the Home server column following a moving mailbox. The
/// runner does not run here; jobs are published to <see cref="MigrationService"/> as it would.
/// </summary>
public sealed class MigrateHereUsersPageTests : IAsyncLifetime
{
    private const string Ann = "ann@company.com";
    private const string Bob = "bob@company.com";
    private const string Dan = "dan@company.com";
    private const string Erin = "erin@company.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    private MigrationService Migrations => _core.Get<MigrationService>();

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context, nodeName: "hq");
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await SeedAsync(_core);
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task MigrateHere_NothingSelected_IsDisabled_AndOneUserOfAnotherServer_EnablesIt()
    {
        var page = await RenderPageAsync();
        Assert.True(MigrateHere(page).HasAttribute("disabled"));

        await SelectAsync(page, Bob);

        await page.WaitForAssertionAsync(() => Assert.False(MigrateHere(page).HasAttribute("disabled")), Patience);
        Assert.True(CancelMigration(page).HasAttribute("disabled"));
    }

    [Theory]
    [InlineData(Ann)]
    [InlineData(Erin)]
    [InlineData(Dan)]
    public async Task MigrateHere_ALocalUser_AUserAlreadyHere_OrAUserAlreadyMoving_IsDisabled(string user)
    {
        Migrations.Publish(Job("j-dan", Dan, MigrationStates.Copying, 0.25));
        var page = await RenderPageAsync();

        await SelectAsync(page, user);

        Assert.True(MigrateHere(page).HasAttribute("disabled"));
    }

    [Fact]
    public async Task MigrateHere_AMovableUserWithALocalOne_IsDisabled()
    {
        var page = await RenderPageAsync();
        await SelectAsync(page, Bob);
        await page.WaitForAssertionAsync(() => Assert.False(MigrateHere(page).HasAttribute("disabled")), Patience);

        await SelectAsync(page, Ann);

        await page.WaitForAssertionAsync(() => Assert.True(MigrateHere(page).HasAttribute("disabled")), Patience);
    }

    [Fact]
    public async Task MigrateHere_ReadOnlyAdmin_HasNeitherButtonNorSelection()
    {
        await using var context = ConsoleTestContext.Create();
        await using var core = ConsoleCore.Add(context, nodeName: "hq");
        context.SignIn("reader", AdminRole.ServerReadOnly);
        await SeedAsync(core);
        context.Render<MudPopoverProvider>();
        var page = context.Render<Users>();

        await page.WaitForAssertionAsync(() => Assert.Equal(4, page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Count), Patience);

        Assert.Empty(page.FindAll("[data-testid=migrate-here]"));
        Assert.Empty(page.FindAll("[data-testid=cancel-migration]"));
        Assert.Empty(page.FindAll("[data-testid=users-grid] tbody input[type=checkbox]"));
    }

    [Theory]
    [InlineData("2", new[] { Bob }, "licence is full")]
    [InlineData("3", new[] { Bob, Dan }, "1 free seat for the 2 users selected")]
    [InlineData("3", new[] { Bob }, null)]
    public async Task MigrateHere_MoreUsersThanTheLicenceHasFreeSeats_IsDisabled_AndSaysWhy(string seats, string[] users, string? why)
    {
        // hq holds two mailboxes (Ann, local, and Erin): manual chapter 3, no migration into a full server.
        await using var context = ConsoleTestContext.Create();
        await using var core = ConsoleCore.Add(context, "hq", new KeyValuePair<string, string?>("Licence:Seats", seats));
        context.SignIn("admin", AdminRole.ServerReadWrite);
        await SeedAsync(core);
        context.Render<MudPopoverProvider>();
        var page = context.Render<Users>();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Count), Patience);

        foreach (var user in users)
        {
            await SelectAsync(page, user);
        }

        if (why is null)
        {
            await page.WaitForAssertionAsync(() => Assert.False(MigrateHere(page).HasAttribute("disabled")), Patience);
        }
        else
        {
            await page.WaitForAssertionAsync(() => Assert.True(MigrateHere(page).HasAttribute("disabled")), Patience);
            Assert.Contains(why, await WhyNotTextAsync(core, users), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MovingUser_HomeServerColumn_ShowsPhaseAndProgress_AndFollowsEachChange()
    {
        Migrations.Publish(Job("j-dan", Dan, MigrationStates.Copying, 0.25, bytesCopied: 10 * 1024 * 1024, bytesTotal: 40 * 1024 * 1024, copied: 750, messages: 3000));
        var page = await RenderPageAsync();

        var cell = HomeCell(page, Dan);
        Assert.Equal("copying → hq", cell.QuerySelector("[data-testid=user-migration-phase]")!.TextContent.Trim());
        Assert.Equal("25", cell.QuerySelector("[data-testid=user-migration-progress]")!.GetAttribute("aria-valuenow"));
        Assert.Equal("10 MB of 40 MB, 750 of 3,000 messages", cell.QuerySelector("[data-testid=user-migration-copied]")!.TextContent.Trim());
        Assert.StartsWith("ny", cell.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("ny", HomeCell(page, Bob).TextContent.Trim());

        Migrations.Publish(Job("j-dan", Dan, MigrationStates.Verifying, 0.5, bytesCopied: 20 * 1024 * 1024, bytesTotal: 40 * 1024 * 1024, copied: 1500, messages: 3000));

        await page.WaitForAssertionAsync(() =>
        {
            var moved = HomeCell(page, Dan);
            Assert.Equal("verifying → hq", moved.QuerySelector("[data-testid=user-migration-phase]")!.TextContent.Trim());
            Assert.Equal("50", moved.QuerySelector("[data-testid=user-migration-progress]")!.GetAttribute("aria-valuenow"));
            Assert.Equal("20 MB of 40 MB, 1,500 of 3,000 messages", moved.QuerySelector("[data-testid=user-migration-copied]")!.TextContent.Trim());
        }, Patience);
    }

    [Fact]
    public async Task Finished_ShowsTheNewHomeServer_AndNoProgress()
    {
        var job = Job("j-bob", Bob, MigrationStates.Cleaning, 1);
        Migrations.Publish(job);
        var page = await RenderPageAsync();
        Assert.NotNull(HomeCell(page, Bob).QuerySelector("[data-testid=user-migration]"));

        // What the runner does at the end: the user's home is this server, the job leaves the live view, then the report.
        await SetHomeAsync(Bob, "hq");
        var finished = job with { State = MigrationStates.Completed, Result = MigrationResults.Completed, FinishedAt = DateTimeOffset.UtcNow };
        Migrations.Publish(finished);
        Migrations.RaiseFinished(finished);

        await page.WaitForAssertionAsync(() => Assert.Equal("hq", HomeCell(page, Bob).TextContent.Trim()), Patience);
        Assert.Null(HomeCell(page, Bob).QuerySelector("[data-testid=user-migration]"));
    }

    [Fact]
    public async Task MigrateHere_Refused_ListsEachUserAndWhy_AndStartsNothing()
    {
        // This node stands alone: Core refuses every user, as it would one whose domain is not distributed.
        var page = await RenderPageAsync();
        await SelectAsync(page, Bob);
        await page.WaitForAssertionAsync(() => Assert.False(MigrateHere(page).HasAttribute("disabled")), Patience);

        await MigrateHere(page).ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(() => Assert.NotEmpty(_dialogs.FindAll("[data-testid=migration-refusals] tbody tr")), Patience);
        var refusal = _dialogs.Find("[data-testid=migration-refusals] tbody tr");
        Assert.Equal("not-migratable", refusal.GetAttribute("data-code"));
        Assert.Contains(Bob, refusal.TextContent, StringComparison.Ordinal);
        Assert.Contains("cannot move", refusal.TextContent, StringComparison.Ordinal);
        Assert.Empty(await Migrations.ListAsync(Actor.System.Principal, CancellationToken.None));
    }

    [Fact]
    public async Task CancelMigration_AMovingUser_AsksTheJobToStop()
    {
        await AddJobAsync("j-dan", Dan, MigrationStates.Copying);
        Migrations.Publish(Job("j-dan", Dan, MigrationStates.Copying, 0.25));
        var page = await RenderPageAsync();
        await SelectAsync(page, Dan);
        await page.WaitForAssertionAsync(() => Assert.False(CancelMigration(page).HasAttribute("disabled")), Patience);

        await CancelMigration(page).ClickAsync(new());

        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        Assert.True((await db.MigrationJobs.SingleAsync(j => j.Id == "j-dan")).CancelRequested);
    }

    [Theory]
    [InlineData(MigrationStates.Switching)]
    [InlineData(MigrationStates.Cleaning)]
    public async Task CancelMigration_AJobPastCopying_OrAUserNotMoving_IsDisabled(string state)
    {
        Migrations.Publish(Job("j-dan", Dan, state, 1));
        var page = await RenderPageAsync();

        await SelectAsync(page, Dan);
        Assert.True(CancelMigration(page).HasAttribute("disabled"));

        await SelectAsync(page, Dan);
        await SelectAsync(page, Bob);
        Assert.True(CancelMigration(page).HasAttribute("disabled"));
    }

    /// <summary>company.com on hq: Ann local, Bob and Dan from the directory on ny, Erin from the directory already on hq.</summary>
    private static async Task SeedAsync(ConsoleCore core)
    {
        await core.MigrateAsync();
        await core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        await core.Get<UserService>().CreateLocalAsync(Actor.System, Ann, "Ann", "User-Password-1", CancellationToken.None);
        await using var db = await core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        var domain = await db.Domains.SingleAsync(d => d.Name == "company.com");
        foreach (var (local, home) in new[] { ("bob", "ny"), ("dan", "ny"), ("erin", "hq") })
        {
            db.Users.Add(new MailUser
            {
                DomainId = domain.Id,
                LocalPart = local,
                Name = local,
                Source = UserSource.Directory,
                DirectoryId = $"id-{local}",
                HomeServer = home,
                SearchText = MailUser.SearchTextOf(local, local, [], "company.com"),
            });
        }

        await db.SaveChangesAsync();
    }

    private static MigrationInfo Job(
        string id, string user, string state, double progress, long bytesCopied = 0, long bytesTotal = 0, long copied = 0, long messages = 0) =>
        new(id, user, "ny", "hq", state, progress, bytesCopied, bytesTotal, copied, messages,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, null, "local:admin");

    private async Task AddJobAsync(string id, string user, string state)
    {
        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        db.MigrationJobs.Add(new MigrationJob
        {
            Id = id,
            Address = user,
            DirectoryId = "id",
            Source = "ny",
            Target = "hq",
            State = state,
            StartedBy = "local:admin",
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private async Task SetHomeAsync(string address, string home)
    {
        await using var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        var local = address[..address.IndexOf('@', StringComparison.Ordinal)];
        var user = await db.Users.SingleAsync(u => u.LocalPart == local);
        user.HomeServer = home;
        await db.SaveChangesAsync();
    }

    private async Task<IRenderedComponent<Users>> RenderPageAsync()
    {
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        var page = _context.Render<Users>();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Count), Patience);
        return page;
    }

    /// <summary>Ticks or clears the row's selection box, as a click on it would.</summary>
    private static async Task SelectAsync(IRenderedComponent<Users> page, string address)
    {
        var row = Row(page, address);
        var selected = row.QuerySelector(".mud-checkbox-true") is not null;
        await row.QuerySelector("input[type=checkbox]")!.ChangeAsync(new() { Value = !selected });
    }

    /// <summary>What the Migrate Here tooltip says for these users on this node, from the rules the page uses.</summary>
    private static async Task<string> WhyNotTextAsync(ConsoleCore core, string[] users)
    {
        var infos = users.Select(u => new UserInfo(u, u, u, UserSource.Directory, "ny", true, false, [], [])).ToList();
        var free = await core.Get<MailAdmin.Core.Licensing.LicenceService>().FreeForMigrationAsync(CancellationToken.None);
        return MigrationChoices.WhyNotMigrate(new AdminPrincipal("local:admin", "admin", AdminRole.ServerReadWrite, null), "hq", infos, _ => null, free) ?? string.Empty;
    }

    private static IElement MigrateHere(IRenderedComponent<Users> page) => page.Find("[data-testid=migrate-here]");

    private static IElement CancelMigration(IRenderedComponent<Users> page) => page.Find("[data-testid=cancel-migration]");

    private static IElement HomeCell(IRenderedComponent<Users> page, string address) =>
        Row(page, address).QuerySelector("td[data-label='Home server']")!;

    private static IElement Row(IRenderedComponent<Users> page, string address) =>
        page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Single(r => r.QuerySelector("td[data-label=Address]")!.TextContent.Trim() == address);
}
