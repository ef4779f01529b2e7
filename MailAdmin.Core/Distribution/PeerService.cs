using Grpc.Core;
using MailAdmin.Core.Distribution.Protocol;

namespace MailAdmin.Core.Distribution;

/// <summary>Replication between members (the <c>Peer</c> service); callers are authenticated members only.</summary>
public sealed class PeerService : Peer.PeerBase
{
    public override Task<DigestReply> Digest(DigestRequest request, ServerCallContext context) =>
        Task.FromResult(new DigestReply());
}
