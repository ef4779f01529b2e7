using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class Users : IDisposable
{
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

    [Inject]
    private UserService Service { get; set; } = default!;

    [Inject]
    private DomainService DomainService { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
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

    public void Dispose() => _loadCancellation?.Cancel();

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
}
