using Grpc.Core;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>The master's side of a join (the <c>Join</c> peer service).</summary>
public sealed class JoinService(ClusterState state, NodeOptions node) : Join.JoinBase
{
    public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply
        {
            ProtocolVersion = ClusterProtocol.Version,
            NodeName = node.Name,
            Role = state.Role.ToString().ToLowerInvariant(),
            MasterName = state.MasterName ?? string.Empty,
        });
}
