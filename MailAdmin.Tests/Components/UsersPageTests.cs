using System.Data.Common;
using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Storage;
using MailAdmin.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>The Users page against the real Core services and a real SQLite database.</summary>
public sealed class UsersPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private readonly SlowUserQuery _slowQuery = new();
    private ConsoleCore _core = default!;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public async Task InitializeAsync()
    {
        _core = ConsoleCore.Add(_context);
        _context.Services.ConfigureDbContext<NodeDbContext>(options => options.AddInterceptors(_slowQuery));
        _context.SignIn("admin", AdminRole.ServerReadWrite);
        await _core.MigrateAsync();
        await _core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        foreach (var name in new[] { "ann", "bob", "carol" })
        {
            await _core.Get<UserService>().CreateLocalAsync(Actor.System, $"{name}@company.com", name.ToUpperInvariant(), "User-Password-1", CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        _slowQuery.Release();
        await _core.DisposeAsync();
    }

    [Fact]
    public async Task Search_TypedWhileTheFirstLoadIsSlow_ShowsOnlyTheSearchResult()
    {
        _slowQuery.HoldNext();
        var page = RenderPage();
        await _slowQuery.Held.WaitAsync(Patience);

        await page.Find("[data-testid=users-search]").InputAsync("bob");
        await page.WaitForAssertionAsync(() => Assert.Equal(["bob@company.com"], Addresses(page)), Patience);

        // The first load, of every user, ends after the search's load. Released on the
        // renderer's thread, it runs to its end before the page is looked at again.
        await page.InvokeAsync(_slowQuery.Release);

        Assert.Equal(["bob@company.com"], Addresses(page));
    }

    [Fact]
    public async Task Load_StartedBeforeASearchAndEndingAfterIt_AnswersWithTheSearchResult()
    {
        var page = RenderPage();
        await page.WaitForAssertionAsync(() => Assert.Equal(3, Addresses(page).Count), Patience);
        var grid = page.FindComponent<MudDataGrid<UserInfo>>().Instance;

        // A load the grid does not cancel, such as one started from another thread, and held.
        _slowQuery.HoldNext();
        Task<GridData<UserInfo>> stale = default!;
        await page.InvokeAsync(() => { stale = grid.ServerData!(new GridState<UserInfo> { Page = 0, PageSize = 25 }, CancellationToken.None); });
        await _slowQuery.Held.WaitAsync(Patience);
        await page.Find("[data-testid=users-search]").InputAsync("bob");
        await page.WaitForAssertionAsync(() => Assert.Equal(["bob@company.com"], Addresses(page)), Patience);

        await page.InvokeAsync(_slowQuery.Release);

        var answer = await stale.WaitAsync(Patience);
        Assert.Equal(["bob@company.com"], answer.Items.Select(u => u.Address));
        Assert.Equal(["bob@company.com"], Addresses(page));
    }

    [Fact]
    public async Task EditLocalUser_FromTheDrawer_SavesNameAndEnabled()
    {
        var page = RenderPage();
        await OpenDrawerAsync(page, "bob@company.com");

        page.Find("[data-testid=edit-user]").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=edit-user-name]"), Patience);
        await _dialogs.Find("[data-testid=edit-user-name]").ChangeAsync(new() { Value = "Robert Brown" });
        await _dialogs.Find("[data-testid=edit-user-enabled]").ChangeAsync(new() { Value = false });
        await _dialogs.Find("[data-testid=edit-user-save]").ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Contains("Robert Brown", page.Find("[data-testid=user-drawer]").TextContent, StringComparison.Ordinal), Patience);
        var saved = (await _core.Get<UserService>().GetAsync(Actor.System.Principal, "bob@company.com", CancellationToken.None)).User;
        Assert.Equal(("Robert Brown", false), (saved.Name, saved.Enabled));
        await page.WaitForAssertionAsync(() => Assert.Contains("Robert Brown", page.Find("[data-testid=users-grid]").TextContent, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task EditLocalUser_WeakPassword_IsRefusedInTheDialog()
    {
        var page = RenderPage();
        await OpenDrawerAsync(page, "bob@company.com");

        page.Find("[data-testid=edit-user]").Click();
        await _dialogs.WaitForAssertionAsync(() => _dialogs.Find("[data-testid=edit-user-password]"), Patience);
        await _dialogs.Find("[data-testid=edit-user-password]").ChangeAsync(new() { Value = "short" });
        await _dialogs.Find("[data-testid=edit-user-save]").ClickAsync(new());

        await _dialogs.WaitForAssertionAsync(() => Assert.Contains(PasswordRules.Check("short")!, _dialogs.Markup, StringComparison.Ordinal), Patience);
        Assert.NotEmpty(_dialogs.FindAll("[data-testid=edit-user-save]"));
        var updates = await _core.Get<AuditLog>().QueryAsync(Actor.System.Principal, new AuditQuery(Action: UserService.UpdateAction), CancellationToken.None);
        Assert.Equal(0, updates.Total);
    }

    [Fact]
    public async Task DirectoryUser_InTheDrawer_SaysWhereToChangeIt_AndOffersNoEdit()
    {
        await using (var db = await _core.Get<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync())
        {
            var domain = await db.Domains.SingleAsync(d => d.Name == "company.com");
            db.Users.Add(new MailUser
            {
                DomainId = domain.Id,
                LocalPart = "dora",
                Name = "Dora Directory",
                Source = UserSource.Directory,
                DirectoryId = "5f1c",
                DirectoryDn = "uid=dora,ou=people,dc=company,dc=com",
                HomeServer = "node1",
                SearchText = MailUser.SearchTextOf("Dora Directory", "dora", [], "company.com"),
            });
            await db.SaveChangesAsync();
        }

        var page = RenderPage();
        await OpenDrawerAsync(page, "dora@company.com");

        Assert.Contains("comes from the directory service", page.Find("[data-testid=user-from-directory]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=edit-user]"));
    }

    [Fact]
    public async Task ReadOnlyAdmin_SeesALocalUser_WithoutEdit()
    {
        await using var context = ConsoleTestContext.Create();
        await using var core = ConsoleCore.Add(context);
        context.SignIn("reader", AdminRole.ServerReadOnly);
        await core.MigrateAsync();
        await core.Get<DomainService>().CreateAsync(Actor.System, "company.com", CancellationToken.None);
        await core.Get<UserService>().CreateLocalAsync(Actor.System, "ann@company.com", "Ann", "User-Password-1", CancellationToken.None);
        context.Render<MudPopoverProvider>();
        var page = context.Render<Users>();

        await OpenDrawerAsync(page, "ann@company.com");

        Assert.Empty(page.FindAll("[data-testid=edit-user]"));
        Assert.Empty(page.FindAll("[data-testid=add-local-user]"));
    }

    private static async Task OpenDrawerAsync(IRenderedComponent<Users> page, string address)
    {
        await page.WaitForAssertionAsync(() => Assert.Contains(address, Addresses(page)), Patience);
        var row = page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").First(r => r.QuerySelector("td[data-label=Address]")!.TextContent.Trim() == address);
        await row.ClickAsync(new());
        await page.WaitForAssertionAsync(() => Assert.Contains(address, page.Find("[data-testid=user-drawer]").TextContent, StringComparison.Ordinal), Patience);
    }

    private IRenderedComponent<Users> RenderPage()
    {
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        return _context.Render<Users>();
    }

    private static List<string> Addresses(IRenderedComponent<Users> page) =>
        [.. page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Select(r => r.QuerySelector("td[data-label=Address]")!.TextContent.Trim())];

    /// <summary>
    /// Holds the next user list when its last query has read every row, as a
    /// slow database would: released, it answers as if nothing had happened,
    /// whatever its caller wants by then.
    /// </summary>
    private sealed class SlowUserQuery : IDbCommandInterceptor
    {
        private readonly TaskCompletionSource _release = new();
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _armed;

        public Task Held => _held.Task;

        public void HoldNext() => _armed = true;

        public void Release() => _release.TrySetResult();

        public async ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            // A user list's last query reads the users' group memberships.
            if (_armed && command.CommandText.Contains("FROM \"GroupMembers\"", StringComparison.Ordinal))
            {
                _armed = false;
                _held.TrySetResult();
                await _release.Task;
            }

            return result;
        }
    }
}
