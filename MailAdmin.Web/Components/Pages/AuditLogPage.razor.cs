using MailAdmin.Core.Accounts;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class AuditLogPage
{
    private MudDataGrid<AuditEntry>? _grid;
    private string? _actor;
    private string? _action;
    private bool _loading;

    [Inject]
    private AuditLog Audit { get; set; } = default!;

    private async Task<GridData<AuditEntry>> LoadAsync(GridState<AuditEntry> state, CancellationToken cancellationToken)
    {
        _loading = true;
        try
        {
            var page = await Audit.QueryAsync(await GetAdminAsync(), new AuditQuery(_actor, _action, state.Page + 1, state.PageSize), cancellationToken);
            return new GridData<AuditEntry> { Items = page.Items, TotalItems = page.Total };
        }
        finally
        {
            _loading = false;
        }
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    // The debounce hands over the text itself: the bound field may not have been updated yet.
    private Task ActorChangedAsync(string text)
    {
        _actor = text;
        return ReloadAsync();
    }

    private Task ActionChangedAsync(string text)
    {
        _action = text;
        return ReloadAsync();
    }
}
