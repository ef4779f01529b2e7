using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The servers of a distributed domain (manual, chapter 7): each name opens that server's own
/// console, where it is disconnected; on a slave, the button that disconnects this server.
/// </summary>
public sealed partial class DistributedServerList
{
    [Parameter]
    [EditorRequired]
    public ClusterInfo Cluster { get; set; } = default!;

    /// <summary>Whether the signed-in administrator may disconnect this server (whole-server read/write).</summary>
    [Parameter]
    public bool CanDisconnect { get; set; }

    /// <summary>True while a disconnect runs: the button is disabled.</summary>
    [Parameter]
    public bool Busy { get; set; }

    [Parameter]
    public EventCallback OnDisconnect { get; set; }

    private string RoleLabel(ClusterServerInfo server) => server switch
    {
        { IsMaster: true } => "Master",
        { IsLocal: true } when Cluster.Role == NodeRole.Standalone => "Standalone",
        _ => "Slave",
    };
}
