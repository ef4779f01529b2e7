using MailAdmin.Core.Accounts;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

/// <summary>The licence as the node reports it; <c>seats</c> is null when unlimited.</summary>
public sealed record LicenceResponse(int? Seats, int Used, int? Free, string State, string Source, string? Licensee)
{
    public static LicenceResponse From(LicenceUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new(usage.Seats, usage.Used, usage.Free, usage.State.ToString().ToLowerInvariant(), usage.Source.ToString().ToLowerInvariant(), usage.Licensee);
    }
}

/// <summary>The Licence page's data: the usage and the mailboxes beyond the seats, most recently added first.</summary>
public sealed record LicenceDetailResponse(int? Seats, int Used, int? Free, string State, string Source, string? Licensee, IReadOnlyList<string> Beyond);

public sealed record NodeResponse(string Name, string Host, string Role, string Version, LicenceResponse Licence)
{
    public static NodeResponse From(NodeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.Name, info.Host, info.Role.ToString().ToLowerInvariant(), info.Version, LicenceResponse.From(info.Licence));
    }
}

internal static class NodeEndpoints
{
    public static void MapNodeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/node", async (HttpContext context, NodeInfoService node) => NodeResponse.From(await node.DescribeAsync(context.User.RequireAdmin(), context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ViewNode))
            .WithTags("Node")
            .WithSummary("This node's name, address, role in a distributed domain, version and licence (seats is null when unlimited).");
        api.MapGet("/licence", async (HttpContext context, LicenceService licence) =>
            {
                var usage = await licence.GetDetailAsync(context.User.RequireAdmin(), context.RequestAborted);
                var summary = LicenceResponse.From(usage);
                return new LicenceDetailResponse(summary.Seats, summary.Used, summary.Free, summary.State, summary.Source, summary.Licensee, usage.Beyond);
            })
            .RequireAuthorization(Policies.For(Permission.ViewLicence))
            .WithTags("Node")
            .WithSummary("The licence in full: seats, mailboxes counted, where the seats come from, and the mailboxes beyond them (they cannot sign in).");
    }
}
