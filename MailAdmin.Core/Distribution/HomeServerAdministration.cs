using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Distribution;

/// <summary>The calling side of the <c>Administration</c> peer service.</summary>
public sealed class HomeServerAdministration(IClusterTopology topology, IPeerChannels channels) : IHomeServerAdministration
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public async Task<DirectoryUserState> UpdateAsync(Actor actor, string homeServer, string address, DirectoryUserChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(changes);
        var peer = topology.FindPeer(homeServer) ?? throw MailAdminException.Conflict("home-server-unknown",
            $"The mailbox of {address} lives on {homeServer}, which is not a member of the distributed domain as this server knows it.");
        var request = new UpdateUserRequest
        {
            Admin = new AdminCall { Principal = actor.Principal.Id, ClientAddress = actor.ClientAddress },
            Address = address,
        };
        if (changes.Enabled is { } enabled)
        {
            request.Enabled = enabled;
        }

        if (changes.HiddenFromAddressList is { } hidden)
        {
            request.HiddenFromAddressList = hidden;
        }

        UpdateUserReply reply;
        try
        {
            reply = await channels.Administration(peer.Name, peer.Host, peer.ClusterPort)
                .UpdateUserAsync(request, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown or StatusCode.Internal or StatusCode.Unimplemented)
        {
            throw new MailAdminException(ErrorKind.Unavailable, "home-server-unreachable",
                $"The mailbox of {address} lives on {homeServer}, which cannot be reached now ({e.Status.Detail}). Nothing was changed; try again when {homeServer} is back.");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
        {
            throw new MailAdminException(ErrorKind.Unavailable, "home-server-unreachable",
                $"{homeServer} refused this server's call ({e.Status.Detail}). Nothing was changed; check the Distributed domains dialog.");
        }

        if (reply.Refusal is { } refusal)
        {
            var kind = Enum.TryParse<ErrorKind>(refusal.Kind, out var parsed) ? parsed : ErrorKind.Conflict;
            throw new MailAdminException(kind, refusal.Code, $"{homeServer}, the home server of {address}, refused: {refusal.Message}");
        }

        return new DirectoryUserState(reply.Enabled, reply.HiddenFromAddressList);
    }
}
