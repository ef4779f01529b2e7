using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>A domain's aliases and mailing lists.</summary>
public sealed partial class AddressBook
{
    private IReadOnlyList<DomainInfo>? _domains;
    private string? _domain;
    private IReadOnlyList<AliasInfo>? _aliases;
    private IReadOnlyList<MailingListInfo>? _lists;
    private bool _canManage;

    /// <summary>The domain to show first, as the Domains page links to it.</summary>
    [SupplyParameterFromQuery(Name = "domain")]
    public string? InitialDomain { get; set; }

    [Inject]
    private AddressBookService Service { get; set; } = default!;

    [Inject]
    private DomainService DomainService { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private string DomainLabel => _domains?.FirstOrDefault(d => d.Name == _domain)?.DisplayName ?? _domain ?? string.Empty;

    protected override async Task OnInitializedAsync()
    {
        _domains = await DomainService.ListAsync(await GetAdminAsync(), CancellationToken.None);
        _domain = DomainChoice.Initial(_domains, InitialDomain);
        await LoadAsync();
    }

    private async Task DomainChangedAsync(string domain)
    {
        _domain = domain;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_domain is null)
        {
            return;
        }

        var admin = await GetAdminAsync();
        _canManage = AccessPolicy.Allows(admin, Permission.ManageUsers, _domain);
        _aliases = null;
        _lists = null;
        _aliases = await Service.ListAliasesAsync(admin, _domain, CancellationToken.None);
        _lists = await Service.ListListsAsync(admin, _domain, CancellationToken.None);
    }

    private async Task AddAliasAsync()
    {
        var parameters = new DialogParameters<AddAliasDialog> { { d => d.Actor, await GetActorAsync() }, { d => d.Domain, _domain! } };
        var dialog = await Dialogs.ShowAsync<AddAliasDialog>($"Add alias to {DomainLabel}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: AliasInfo added })
        {
            Snackbar.Add($"Mail to {added.Alias} now goes to {added.Target}.", Severity.Success);
            await LoadAsync();
        }
    }

    private Task AddListAsync() => ShowListDialogAsync(null);

    private Task EditListAsync(MailingListInfo list) => ShowListDialogAsync(list);

    private async Task ShowListDialogAsync(MailingListInfo? list)
    {
        var parameters = new DialogParameters<MailingListDialog> { { d => d.Actor, await GetActorAsync() }, { d => d.Domain, _domain! }, { d => d.List, list } };
        var title = list is null ? $"Add mailing list to {DomainLabel}" : $"Members of {list.Address}";
        var dialog = await Dialogs.ShowAsync<MailingListDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: MailingListInfo saved })
        {
            var members = saved.Members.Count == 1 ? "1 member" : $"{saved.Members.Count} members";
            Snackbar.Add(list is null ? $"{saved.Address} was added with {members}." : $"{saved.Address} now has {members}.", Severity.Success);
            await LoadAsync();
        }
    }

    private Task DeleteAliasAsync(AliasInfo alias) =>
        DeleteAsync($"Delete the alias {alias.Alias}? Mail to it will no longer reach {alias.Target}.",
            actor => Service.DeleteAliasAsync(actor, _domain!, alias.Alias, CancellationToken.None), $"{alias.Alias} was deleted.");

    private Task DeleteListAsync(MailingListInfo list) =>
        DeleteAsync($"Delete the mailing list {list.Address}? Its members stay as they are.",
            actor => Service.DeleteListAsync(actor, _domain!, list.Address, CancellationToken.None), $"{list.Address} was deleted.");

    private async Task DeleteAsync(string question, Func<Actor, Task> delete, string done)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete", question, yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await delete(await GetActorAsync());
            Snackbar.Add(done, Severity.Success);
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }
}
