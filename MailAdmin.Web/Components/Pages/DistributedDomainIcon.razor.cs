using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The icon next to a distributed domain's name (manual, figure 5.2): red when this server is
/// connected and every server of the domain is ready; otherwise a warning colour, and the tooltip
/// names the servers that are not.
/// </summary>
public sealed partial class DistributedDomainIcon
{
    /// <summary>The distributed domain's servers as this server sees them; null while they load.</summary>
    [Parameter]
    public ClusterInfo? Cluster { get; set; }

    private bool Healthy => Cluster is not null && Cluster.Role != NodeRole.Standalone && Troubles(Cluster).Count == 0;

    private string Description => Describe(Cluster);

    /// <summary>What the icon's tooltip says.</summary>
    public static string Describe(ClusterInfo? cluster)
    {
        if (cluster is null)
        {
            return "Distributed domain: the servers' state is not known yet.";
        }

        if (cluster.Role == NodeRole.Standalone)
        {
            return "Distributed domain, but this server is not connected to a master.";
        }

        var troubles = Troubles(cluster);
        return troubles.Count == 0
            ? "Distributed domain: connected, every server is ready."
            : "Distributed domain with a problem: " + string.Join("; ", troubles) + ".";
    }

    private static List<string> Troubles(ClusterInfo cluster) =>
    [
        .. cluster.Servers
            .Where(s => s.Status != "ready" || s.DomainStatus != "connected")
            .Select(s => s.DomainStatus switch
            {
                "pending" => $"{s.Name} is still connecting",
                _ when s.Errors.Count > 0 => $"{s.Name} is unreachable ({string.Join(", ", s.Errors)})",
                _ => $"{s.Name} is unreachable",
            }),
    ];
}
