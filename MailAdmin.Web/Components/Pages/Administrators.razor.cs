using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class Administrators
{
    private IReadOnlyList<AdminGrantInfo>? _admins;
    private bool _canManage;

    [Inject]
    private AdministratorService Service { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var admin = await GetAdminAsync();
        _canManage = AccessPolicy.Allows(admin, Permission.ManageAdministrators);
        await LoadAsync();
    }

    private async Task LoadAsync() => _admins = await Service.ListAdminsAsync(await GetAdminAsync(), CancellationToken.None);

    private async Task AddLocalAsync()
    {
        var parameters = new DialogParameters<AddLocalAdminDialog> { { d => d.Actor, await GetActorAsync() } };
        var dialog = await Dialogs.ShowAsync<AddLocalAdminDialog>("Add local administrator", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: AdminGrantInfo added })
        {
            Snackbar.Add($"{added.Principal} can now sign in as {added.Role.DisplayName()}.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task GrantAsync()
    {
        var parameters = new DialogParameters<GrantRoleDialog> { { d => d.Actor, await GetActorAsync() } };
        var dialog = await Dialogs.ShowAsync<GrantRoleDialog>("Add directory user or group", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: AdminGrantInfo granted })
        {
            Snackbar.Add($"{granted.Principal} is now {granted.Role.DisplayName()}.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task RemoveAsync(AdminGrantInfo grant)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Remove administrator",
            $"{grant.Principal} will no longer administer this server, and their open sessions end.", yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Service.RevokeAsync(await GetActorAsync(), grant.Principal, CancellationToken.None);
            Snackbar.Add($"{grant.Principal} was removed.", Severity.Success);
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }
}
