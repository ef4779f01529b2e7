using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record LicenceResponse(int Seats, int Used);

public sealed record NodeResponse(string Name, string Host, string Role, string Version, LicenceResponse Licence)
{
    public static NodeResponse From(NodeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.Name, info.Host, info.Role.ToString().ToLowerInvariant(), info.Version, new LicenceResponse(info.Licence.Seats, info.Licence.Used));
    }
}

internal static class NodeEndpoints
{
    public static void MapNodeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/node", (HttpContext context, NodeInfoService node) => NodeResponse.From(node.Describe(context.User.RequireAdmin())))
            .RequireAuthorization(Policies.For(Permission.ViewNode))
            .WithTags("Node")
            .WithSummary("This node's name, address, role in a distributed domain, version and licence.");
    }
}
