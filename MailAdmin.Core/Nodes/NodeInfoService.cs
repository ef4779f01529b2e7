using System.Reflection;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Licensing;

namespace MailAdmin.Core.Nodes;

/// <summary>The node's identity and standing.</summary>
public sealed class NodeInfoService(NodeOptions node, Distribution.ClusterState cluster, LicenceService licence)
{
    /// <summary>The product version, from the assembly's informational version without the build metadata.</summary>
    public static string Version { get; } =
        (typeof(NodeInfoService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Standalone until a distributed domain exists; master once a slave has joined it.</summary>
    public NodeRole Role => cluster.Role;

    public string Name => node.Name;

    public async Task<NodeInfo> DescribeAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewNode);
        return new NodeInfo(node.Name, node.PublicHost, Role, Version, await licence.UsageAsync(cancellationToken));
    }
}
