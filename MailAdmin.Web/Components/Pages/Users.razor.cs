using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class Users : IDisposable
{
    /// <summary>Rows are the same user when their addresses are: a reload brings new instances of the selected users.</summary>
    private static readonly IEqualityComparer<UserInfo> SameUser = new UserByAddress();

    private MudDataGrid<UserInfo>? _grid;
    private CancellationTokenSource? _loadCancellation;
    private Task<UserPage>? _newestLoad;
    private IReadOnlyList<DomainInfo> _domains = [];
    private string? _domain;
    private string? _search;
    private bool _thisServerOnly;
    private bool _canManage;
    private AdminPrincipal? _admin;
    private bool _detailOpen;
    private UserDetail? _detail;
    private HashSet<UserInfo> _selected = new(SameUser);
    private Dictionary<string, UserInfo> _rows = new(StringComparer.OrdinalIgnoreCase);

    // The addresses on screen, read by migration events on other threads; replaced whole, never changed.
    private volatile HashSet<string> _shown = [];
    private RenderThrottle? _renders;
    private bool _starting;
    private bool _canceling;

    [Inject]
    private UserService Service { get; set; } = default!;

    [Inject]
    private DomainService DomainService { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private MigrationService Migrations { get; set; } = default!;

    [Inject]
    private LicenceService Licence { get; set; } = default!;

    [Inject]
    private NodeOptions Node { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    /// <summary>Null when <i>Migrate Here</i> can move every selected user; otherwise what stops it.</summary>
    private string? WhyNotMigrate => _admin is null ? "" : MigrationChoices.WhyNotMigrate(_admin, Node.Name, SelectedRows, Migrations.ActiveFor, _freeSeats);

    /// <summary>Seats free for mailboxes moving here, as of the last load of the list; null when unlimited.</summary>
    private int? _freeSeats;

    /// <summary>Null when <i>Cancel migration</i> can stop the migration of every selected user; otherwise what stops it.</summary>
    private string? WhyNotCancel => _admin is null ? "" : MigrationChoices.WhyNotCancel(_admin, SelectedRows, Migrations.ActiveFor);

    /// <summary>The selected users as last loaded: their home server may have changed since they were ticked.</summary>
    private List<UserInfo> SelectedRows => [.. _selected.Select(u => _rows.GetValueOrDefault(u.Address, u))];

    protected override async Task OnInitializedAsync()
    {
        _renders = new RenderThrottle(Clock, () => InvokeAsync(StateHasChanged));
        Migrations.Changed += OnMigrationChanged;
        Migrations.Finished += OnMigrationFinished;
        var admin = await GetAdminAsync();
        _admin = admin;
        _canManage = AccessPolicy.Allows(admin, Permission.ManageUsers);
        _domains = await DomainService.ListAsync(admin, CancellationToken.None);
    }

    // The grid sorts on the server: a column's sort function only names the column to Core.
    private static Func<UserInfo, object> SortKey(UserSort sort) => _ => sort;

    /// <remarks>
    /// Loads overlap: a typed search starts one while the first is still running,
    /// and a grid shows whatever answer arrives last. So a new load cancels the one
    /// before it, and a load that is no longer the newest, whether it ran to its end
    /// or was canceled, answers with the newest load's rows: stale rows never win.
    /// </remarks>
    private async Task<GridData<UserInfo>> LoadAsync(GridState<UserInfo> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var sortBy = sort?.SortFunc?.Invoke(default!) as UserSort? ?? UserSort.Address;
        var query = new UserQuery(_domain, _search, _thisServerOnly, state.Page + 1, state.PageSize, sortBy, sort?.Descending ?? false);
        var previous = _loadCancellation;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loadCancellation = cancellation;
        var load = ListAsync(query, cancellation.Token);
        _newestLoad = load;
        previous?.Cancel();
        try
        {
            var page = await NewestAsync(load);
            _freeSeats = await Licence.FreeForMigrationAsync(cancellationToken);
            Show(page.Items);
            return new GridData<UserInfo> { Items = page.Items, TotalItems = page.Total };
        }
        finally
        {
            if (_loadCancellation == cancellation)
            {
                _loadCancellation = null;
            }
        }
    }

    private async Task<UserPage> ListAsync(UserQuery query, CancellationToken cancellationToken) =>
        await Service.ListAsync(await GetAdminAsync(), query, cancellationToken);

    private async Task<UserPage> NewestAsync(Task<UserPage> load)
    {
        while (true)
        {
            try
            {
                var page = await load;
                if (load == _newestLoad)
                {
                    return page;
                }
            }
            catch (OperationCanceledException) when (load != _newestLoad)
            {
                // Replaced by a newer load: its rows are the answer.
            }

            load = _newestLoad!;
        }
    }

    /// <summary>
    /// Remembers the rows on screen, and keeps selected only the users still among them: a
    /// selection the administrator cannot see must not be migrated.
    /// </summary>
    private void Show(IReadOnlyList<UserInfo> items)
    {
        _rows = items.ToDictionary(u => u.Address, StringComparer.OrdinalIgnoreCase);
        _shown = _rows.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var kept = _selected.Where(u => _rows.ContainsKey(u.Address)).Select(u => _rows[u.Address]).ToHashSet(SameUser);
        if (kept.Count != _selected.Count)
        {
            _selected = kept;
            StateHasChanged();
        }
    }

    public void Dispose()
    {
        Migrations.Changed -= OnMigrationChanged;
        Migrations.Finished -= OnMigrationFinished;
        _renders?.Dispose();
        _loadCancellation?.Cancel();
    }

    // Raised on the migration's thread, up to 4 times a second per job: the throttle renders at most as often.
    private void OnMigrationChanged(object? sender, MigrationInfo job)
    {
        if (_shown.Contains(job.User))
        {
            _renders?.Request();
        }
    }

    // A finished job changed a home server (or left it as it was): the rows show the users as they are now.
    private void OnMigrationFinished(object? sender, MigrationInfo job) => _ = InvokeAsync(ReloadAsync);

    private void SelectionChanged(HashSet<UserInfo>? selected) => _selected = selected ?? new HashSet<UserInfo>(SameUser);

    private async Task MigrateHereAsync()
    {
        var users = SelectedRows;
        _starting = true;
        try
        {
            var started = await Migrations.StartAsync(await GetActorAsync(), [.. users.Select(u => u.Address)], CancellationToken.None);
            Snackbar.Add(started.Count == 1
                    ? $"The migration of {started[0].User} to {Node.Name} has started. Follow it in the Home server column or on the Migration page."
                    : $"The migration of {started.Count} users to {Node.Name} has started; they move one by one. Follow them in the Home server column or on the Migration page.",
                Severity.Info);
        }
        catch (MailAdminException e)
        {
            var parameters = new DialogParameters<MigrationRefusalDialog> { { d => d.Refusals, MigrationText.Refusals(e) } };
            await Dialogs.ShowAsync<MigrationRefusalDialog>("Migrate Here", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        }
        finally
        {
            _starting = false;
        }
    }

    private async Task CancelMigrationAsync()
    {
        var jobs = SelectedRows.Select(u => Migrations.ActiveFor(u.Address)).OfType<MigrationInfo>().ToList();
        _canceling = true;
        try
        {
            var actor = await GetActorAsync();
            var refused = new List<string>();
            foreach (var job in jobs)
            {
                try
                {
                    await Migrations.CancelAsync(actor, job.Id, CancellationToken.None);
                }
                catch (MailAdminException e)
                {
                    refused.Add(e.Message);
                }
            }

            if (refused.Count == 0)
            {
                Snackbar.Add(jobs.Count == 1
                    ? $"The migration of {jobs[0].User} is being canceled; the mailbox stays on {jobs[0].Source}."
                    : $"{jobs.Count} migrations are being canceled; the mailboxes stay where they are.", Severity.Info);
            }
            else
            {
                Snackbar.Add(string.Join(" ", refused), Severity.Error);
            }
        }
        finally
        {
            _canceling = false;
        }
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    // The debounce hands over the text itself: the bound field may not have been updated yet.
    private Task SearchChangedAsync(string text)
    {
        _search = text;
        return ReloadAsync();
    }

    private Task DomainChangedAsync(string? domain)
    {
        _domain = domain;
        return ReloadAsync();
    }

    private Task ThisServerOnlyChangedAsync(bool value)
    {
        _thisServerOnly = value;
        return ReloadAsync();
    }

    private async Task OpenAsync(DataGridRowClickEventArgs<UserInfo> row)
    {
        try
        {
            _detail = await Service.GetAsync(await GetAdminAsync(), row.Item.Address, CancellationToken.None);
            _detailOpen = true;
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private bool _savingSignIn;
    private bool _savingHidden;

    private bool CanManage(UserInfo user) =>
        _admin is not null && AccessPolicy.Allows(_admin, Permission.ManageUsers, MailAddresses.Parse(user.Address).Domain);

    private async Task EditAsync()
    {
        if (_detail is null)
        {
            return;
        }

        var user = _detail.User;
        var parameters = new DialogParameters<EditLocalUserDialog> { { d => d.Actor, await GetActorAsync() }, { d => d.User, user } };
        var dialog = await Dialogs.ShowAsync<EditLocalUserDialog>($"Edit {user.DisplayAddress}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: UserInfo updated })
        {
            Snackbar.Add($"{updated.DisplayAddress} was saved.", Severity.Success);
            _detail = await Service.GetAsync(await GetAdminAsync(), updated.Address, CancellationToken.None);
            await ReloadAsync();
        }
    }

    private async Task AddLocalAsync()
    {
        var parameters = new DialogParameters<AddLocalUserDialog> { { d => d.Actor, await GetActorAsync() }, { d => d.Domains, _domains } };
        var dialog = await Dialogs.ShowAsync<AddLocalUserDialog>("Add local user", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: UserInfo added })
        {
            Snackbar.Add($"{added.DisplayAddress} was added. Local users stay on this server.", Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task SetSignInAsync(bool allowed)
    {
        _savingSignIn = true;
        await SaveAsync(new UserChanges(Enabled: allowed), user => allowed
            ? $"{user.DisplayAddress} may sign in again."
            : $"{user.DisplayAddress} can no longer sign in; mail to them is still delivered.");
        _savingSignIn = false;
    }

    private async Task SetHiddenAsync(bool hidden)
    {
        _savingHidden = true;
        await SaveAsync(new UserChanges(HiddenFromAddressList: hidden), user => hidden
            ? $"{user.DisplayAddress} is hidden from the Global Address List."
            : $"{user.DisplayAddress} is listed in the Global Address List again.");
        _savingHidden = false;
    }

    /// <summary>A change from the drawer, carried out by the user's home server when it is another one.</summary>
    private async Task SaveAsync(UserChanges changes, Func<UserInfo, string> success)
    {
        if (_detail is null)
        {
            return;
        }

        try
        {
            var updated = await Service.UpdateAsync(await GetActorAsync(), _detail.User.Address, changes, forwardToHome: true, CancellationToken.None);
            Snackbar.Add(success(updated), Severity.Success);
            _detail = await Service.GetAsync(await GetAdminAsync(), updated.Address, CancellationToken.None);
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await ReloadAsync();
    }

    private async Task DeleteAsync()
    {
        if (_detail is null)
        {
            return;
        }

        var user = _detail.User;
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete user", $"Delete {user.DisplayAddress} and its mailbox? This cannot be undone.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Service.DeleteAsync(await GetActorAsync(), user.Address, CancellationToken.None);
            Snackbar.Add($"{user.DisplayAddress} was deleted.", Severity.Success);
            _detailOpen = false;
            _detail = null;
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await ReloadAsync();
    }

    private sealed class UserByAddress : IEqualityComparer<UserInfo>
    {
        public bool Equals(UserInfo? x, UserInfo? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && string.Equals(x.Address, y.Address, StringComparison.OrdinalIgnoreCase));

        public int GetHashCode(UserInfo obj) => StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Address);
    }
}
