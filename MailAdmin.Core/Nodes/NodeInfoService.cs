using System.Reflection;
using MailAdmin.Core.Accounts;

namespace MailAdmin.Core.Nodes;

/// <summary>The node's identity and standing.</summary>
public sealed class NodeInfoService(NodeOptions node)
{
    /// <summary>The product version, from the assembly's informational version without the build metadata.</summary>
    public static string Version { get; } =
        (typeof(NodeInfoService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Until a distributed domain exists every node stands alone.</summary>
    public NodeRole Role { get; } = NodeRole.Standalone;

    public string Name => node.Name;

    public NodeInfo Describe(AdminPrincipal reader)
    {
        AccessPolicy.Demand(reader, Permission.ViewNode);
        return new NodeInfo(node.Name, node.PublicHost, Role, Version, new LicenceInfo(Seats: 0, Used: 0));
    }
}
