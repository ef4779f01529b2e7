using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// Configuration → Domains → Distributed domains (manual, chapter 7): every server of the
/// distributed domain, and on a slave the way to disconnect this server from its master.
/// Closes with <c>true</c> when this server was disconnected.
/// </summary>
public sealed partial class DistributedDomainsDialog
{
    private ClusterInfo? _cluster;
    private bool _canDisconnect;
    private bool _busy;
    private MailAdminException? _refusal;

    /// <summary>Who is looking: Core checks their right to see the node, and to disconnect it.</summary>
    [Parameter]
    [EditorRequired]
    public Actor Actor { get; set; } = default!;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private ClusterService Cluster { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _canDisconnect = AccessPolicy.Allows(Actor.Principal, Permission.ManageCluster);
        try
        {
            _cluster = await Cluster.DescribeAsync(Actor.Principal, CancellationToken.None);
        }
        catch (MailAdminException e)
        {
            _refusal = e;
        }
    }

    private void Close() => Dialog.Close(DialogResult.Ok(false));

    private async Task DisconnectAsync()
    {
        var master = _cluster?.Master ?? "the master";
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Disconnect this server from master",
            $"Disconnect this server from {master}? It keeps the mailboxes of its users in a local domain of the same name, "
                + "and the other servers of the distributed domain forget them: mail for those users no longer reaches this server through them. "
                + "If this is the last slave, the domain stops being distributed on the master too.",
            yesText: "Disconnect",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _busy = true;
        _refusal = null;
        try
        {
            await Cluster.DisconnectAsync(Actor, CancellationToken.None);
            Dialog.Close(DialogResult.Ok(true));
        }
        catch (MailAdminException e)
        {
            _refusal = e;
        }
        finally
        {
            _busy = false;
        }
    }
}
