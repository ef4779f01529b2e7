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

    private IRenderedComponent<Users> RenderPage()
    {
        _context.Render<MudPopoverProvider>();
        return _context.Render<Users>();
    }

    private static List<string> Addresses(IRenderedComponent<Users> page) =>
        [.. page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Select(r => r.QuerySelector("td")!.TextContent.Trim())];

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
