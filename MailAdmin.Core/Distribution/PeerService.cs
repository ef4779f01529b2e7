using Grpc.Core;
using MailAdmin.Core.Distribution.Protocol;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// Replication between members (the <c>Peer</c> service). The peer interceptor has
/// authenticated the caller by its certificate before any method runs; its node name
/// is in <see cref="ServerCallContext.UserState"/>.
/// </summary>
public sealed class PeerService(Replication replication, MembershipService membership) : Peer.PeerBase
{
    public override async Task<PushReply> Push(NodeDocument request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = CallerOf(context);
        if (!string.Equals(request.Owner, caller, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Node {caller} may push only its own document, not {request.Owner}'s."));
        }

        var applied = await replication.ReceiveAsync(caller, [request], context.CancellationToken);
        return new PushReply { Applied = applied };
    }

    public override async Task<DigestReply> Digest(DigestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reply = new DigestReply();
        foreach (var (owner, version) in await replication.VersionsAsync(context.CancellationToken))
        {
            reply.Versions[owner] = version;
        }

        return reply;
    }

    public override async Task<FetchReply> Fetch(FetchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var reply = new FetchReply();
        reply.Documents.Add(await replication.DocumentsAsync(request.Owners, context.CancellationToken));
        return reply;
    }

    public override async Task<ConfirmReply> Confirm(ConfirmRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await membership.ConfirmAsync(CallerOf(context), context.CancellationToken);
        var reply = new ConfirmReply();
        reply.Documents.Add(await replication.DocumentsAsync([], context.CancellationToken));
        return reply;
    }

    public override async Task<LeaveReply> Leave(LeaveRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await membership.RemoveAsync(CallerOf(context), context.CancellationToken);
        return new LeaveReply();
    }

    private static string CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(ClusterProtocol.CallerNodeKey, out var name) && name is string node
            ? node
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The caller was not authenticated as a member of this distributed domain."));
}
