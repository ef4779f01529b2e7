using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class Domains
{
    private IReadOnlyList<DomainInfo>? _domains;
    private ClusterInfo? _cluster;
    private bool _canManage;
    private bool _canJoin;
    private bool _canSync;
    private string? _syncing;

    [Inject]
    private DomainService Service { get; set; } = default!;

    [Inject]
    private DirectorySyncService Sync { get; set; } = default!;

    [Inject]
    private ClusterService Cluster { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var admin = await GetAdminAsync();
        _canManage = AccessPolicy.Allows(admin, Permission.ManageDomains);
        _canSync = AccessPolicy.Allows(admin, Permission.ManageUsers);
        _canJoin = AccessPolicy.Allows(admin, Permission.ManageCluster);
        await LoadAsync();
    }

    private static string ProfileLabel(DirectoryProfileKind profile) =>
        profile == DirectoryProfileKind.ActiveDirectory ? "Active Directory" : "OpenLDAP";

    private async Task LoadAsync()
    {
        var admin = await GetAdminAsync();
        _domains = await Service.ListAsync(admin, CancellationToken.None);
        _cluster = await Cluster.DescribeAsync(admin, CancellationToken.None);
    }

    private async Task AddDistributedAsync()
    {
        var parameters = new DialogParameters<DistributedDomainWizard> { { d => d.Actor, await GetActorAsync() } };
        var dialog = await Dialogs.ShowAsync<DistributedDomainWizard>("Add distributed domain", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, BackdropClick = false, CloseOnEscapeKey = false });
        if (await dialog.Result is { Canceled: false, Data: DistributedDomainJoined joined })
        {
            await LoadAsync();
            var master = _cluster?.Master is { } name ? $"{name} ({joined.MasterHost})" : joined.MasterHost;
            Snackbar.Add($"This server is now a slave of {master}, and {DomainNames.ToUnicode(joined.Domain)} is distributed.", Severity.Success);
            ShowNewRole();
        }
    }

    private async Task ShowDistributedDomainsAsync()
    {
        var parameters = new DialogParameters<DistributedDomainsDialog> { { d => d.Actor, await GetActorAsync() } };
        var dialog = await Dialogs.ShowAsync<DistributedDomainsDialog>("Distributed Domains", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: true })
        {
            Snackbar.Add("This server was disconnected from its master; its users' mailboxes stay here in a local domain.", Severity.Success);
            await LoadAsync();
            ShowNewRole();
        }
    }

    // The app bar shows this server's role (Standalone, Master, Slave), and only a navigation renders
    // the layout again: without one it would still say Standalone beside "This server is now a slave".
    private void ShowNewRole() => Navigation.Refresh();

    private async Task AddAsync()
    {
        var name = await AskAsync("Add local domain", "Domain name", "company.com", null);
        if (name is null)
        {
            return;
        }

        await RunAsync(async actor =>
        {
            var created = await Service.CreateAsync(actor, name, CancellationToken.None);
            Snackbar.Add($"{created.DisplayName} was added. Set its directory service next.", Severity.Success);
        });
    }

    private async Task RenameAsync(DomainInfo domain)
    {
        var name = await AskAsync($"Rename {domain.DisplayName}", "New name", domain.DisplayName, "Every address in the domain is renamed with it.");
        if (name is null)
        {
            return;
        }

        await RunAsync(async actor =>
        {
            var renamed = await Service.RenameAsync(actor, domain.Name, name, CancellationToken.None);
            Snackbar.Add($"{domain.DisplayName} is now {renamed.DisplayName}.", Severity.Success);
        });
    }

    private async Task DeleteAsync(DomainInfo domain)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete domain",
            $"Delete {domain.DisplayName} with its aliases, lists and directory settings?", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        await RunAsync(async actor =>
        {
            await Service.DeleteAsync(actor, domain.Name, CancellationToken.None);
            Snackbar.Add($"{domain.DisplayName} was deleted.", Severity.Success);
        });
    }

    private async Task EditDirectoryAsync(DomainInfo domain)
    {
        var parameters = new DialogParameters<DirectoryDialog> { { d => d.Domain, domain }, { d => d.Actor, await GetActorAsync() } };
        var dialog = await Dialogs.ShowAsync<DirectoryDialog>($"Directory service of {domain.DisplayName}", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false })
        {
            Snackbar.Add($"The directory settings of {domain.DisplayName} were tested and saved.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task SyncAsync(DomainInfo domain)
    {
        _syncing = domain.Name;
        try
        {
            await RunAsync(async actor =>
            {
                var result = await Sync.SyncAsync(actor, domain.Name, CancellationToken.None);
                Snackbar.Add($"{domain.DisplayName}: {result.Summary}.", Severity.Success);
                foreach (var skipped in result.Skipped.Take(5))
                {
                    Snackbar.Add($"Skipped {skipped}", Severity.Warning);
                }
            });
        }
        finally
        {
            _syncing = null;
        }
    }

    private async Task RunAsync(Func<Actor, Task> action)
    {
        try
        {
            await action(await GetActorAsync());
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }

    private async Task<string?> AskAsync(string title, string label, string? value, string? help)
    {
        var parameters = new DialogParameters<TextPromptDialog> { { d => d.Label, label }, { d => d.Value, value }, { d => d.HelperText, help } };
        var dialog = await Dialogs.ShowAsync<TextPromptDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        return await dialog.Result is { Canceled: false, Data: string text } ? text : null;
    }
}
