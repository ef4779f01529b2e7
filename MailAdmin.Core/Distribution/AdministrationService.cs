using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// The home server's side of administration across servers: a change asked from another
/// member's console for a user whose mailbox lives here. The administrator named in the call
/// is looked up here (<see cref="PeerAdministrators"/>), the change then runs through the same
/// <see cref="UserService"/> checks as a change made in this console, and is audited here with
/// the administrator and the node it came through.
/// </summary>
public sealed class AdministrationService(PeerAdministrators administrators, UserService users, AuditLog audit, NodeOptions node) : Administration.AdministrationBase
{
    public override async Task<UpdateUserReply> UpdateUser(UpdateUserRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = context.UserState.TryGetValue(ClusterProtocol.CallerNodeKey, out var name) && name is string known
            ? known
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The caller was not authenticated as a member of this distributed domain."));
        var principalId = request.Admin?.Principal ?? string.Empty;
        var client = Shorten(request.Admin?.ClientAddress ?? string.Empty, 64);
        var via = $"{client} via {caller}";
        var principal = await administrators.ResolveAsync(caller, principalId, context.CancellationToken);
        if (principal is null)
        {
            await audit.RecordAsync(Shorten(principalId, 200), via, UserService.UpdateAction, Shorten(request.Address, 320), "forbidden", context.CancellationToken);
            return new UpdateUserReply
            {
                Refusal = new Refusal
                {
                    Kind = nameof(ErrorKind.Forbidden),
                    Code = "forbidden",
                    Message = $"{Shorten(principalId, 200)} is not an administrator that {node.Name} knows of, through {caller}'s administrator list or its own.",
                },
            };
        }

        try
        {
            var changes = new UserChanges(
                Enabled: request.HasEnabled ? request.Enabled : null,
                HiddenFromAddressList: request.HasHiddenFromAddressList ? request.HiddenFromAddressList : null);
            var updated = await users.UpdateAsync(new Actor(principal, via), request.Address, changes, forwardToHome: false, context.CancellationToken);
            return new UpdateUserReply { Enabled = updated.Enabled, HomeServer = updated.HomeServer, HiddenFromAddressList = updated.HiddenFromAddressList };
        }
        catch (MailAdminException e)
        {
            return new UpdateUserReply { Refusal = new Refusal { Kind = e.Kind.ToString(), Code = e.Code, Message = e.Message } };
        }
    }

    private static string Shorten(string value, int max) => value.Length <= max ? value : value[..max];
}
