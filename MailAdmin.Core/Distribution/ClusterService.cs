using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// The administrator's side of a distributed domain: join a master (Add → Distributed
/// Domain), see the servers, disconnect a slave. Refusals are <see cref="MailAdminException"/>s
/// with API.md's codes; a <c>data-conflict</c> carries its <see cref="ConflictInfo"/> list in
/// <see cref="MailAdminException.Details"/> under <c>conflicts</c>.
/// </summary>
public sealed class ClusterService(ClusterState state, NodeOptions node)
{
    public Task<ClusterInfo> DescribeAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewNode);
        _ = cancellationToken;
        var self = new ClusterServerInfo(node.Name, node.PublicHost, state.Role == NodeRole.Master, IsLocal: true, "ready", [], "standalone", string.Empty);
        return Task.FromResult(new ClusterInfo(state.Role, state.MasterName, [self]));
    }

    /// <summary>Contacts a master: its certificate's fingerprint and the domains it can distribute.</summary>
    public Task<DistributableInfo> DistributableAsync(Actor actor, string masterHost, string username, string password, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Joins this node to the master's distributed domain; it becomes a slave.</summary>
    public Task<NodeRole> ConnectAsync(Actor actor, ConnectInput input, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Leaves the distributed domain; only on a slave (<c>not-a-slave</c> elsewhere).</summary>
    public Task DisconnectAsync(Actor actor, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<HomeServerEntry>> HomeServersAsync(AdminPrincipal reader, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
