using MailAdmin.Core.Accounts;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record QueueRecipientResponse(string Address, string State, DateTimeOffset? NextAttempt, int Attempts, string? LastError, string? Original);

public sealed record QueueMessageResponse(string Id, string From, IReadOnlyList<QueueRecipientResponse> Recipients, long Size, DateTimeOffset ReceivedAt, bool Held, string Kind)
{
    public static QueueMessageResponse Of(QueuedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(
            message.Id,
            message.Sender ?? string.Empty,
            message.Recipients.Select(r => new QueueRecipientResponse(
                r.Address,
                StateOf(r),
                r.State == RecipientState.Pending ? r.NextAttempt : null,
                r.Attempts,
                r.LastError,
                r.Original)).ToList(),
            message.Size,
            message.ReceivedAt,
            message.Held,
            message.Kind == MessageKind.Notification ? "notification" : "mail");
    }

    /// <summary>pending (not tried yet), deferred (a temporary failure, will retry), delivered, failed, expanded.</summary>
    public static string StateOf(QueuedRecipient recipient) => recipient.State switch
    {
        RecipientState.Pending => recipient.Attempts == 0 ? "pending" : "deferred",
        RecipientState.Delivered => "delivered",
        RecipientState.Failed => "failed",
        _ => "expanded",
    };
}

internal static class QueueEndpoints
{
    public static void MapQueueEndpoints(this RouteGroupBuilder api)
    {
        var queue = api.MapGroup("/queue").WithTags("Mail queue");
        queue.MapGet("/", (HttpContext context, QueueService service) =>
                service.List(context.User.RequireAdmin()).Select(QueueMessageResponse.Of))
            .RequireAuthorization(Policies.For(Permission.ViewQueue))
            .WithSummary("Messages waiting in this node's queue, with each recipient's state, attempts, next attempt and last error.");
        queue.MapPost("/{id}/retry", async (string id, HttpContext context, QueueService service) =>
            {
                await service.RetryAsync(ClientAddress.ActorOf(context), id, context.RequestAborted);
                return Results.Accepted();
            })
            .RequireAuthorization(Policies.For(Permission.ManageQueue))
            .WithSummary("Retry now: every waiting recipient of the message is tried at once.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        queue.MapPost("/{id}/hold", async (string id, HttpContext context, QueueService service) =>
            {
                await service.HoldAsync(ClientAddress.ActorOf(context), id, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageQueue))
            .WithSummary("Hold: keep the message in the queue without delivering it until released.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        queue.MapPost("/{id}/release", async (string id, HttpContext context, QueueService service) =>
            {
                await service.ReleaseAsync(ClientAddress.ActorOf(context), id, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageQueue))
            .WithSummary("Release a held message: delivery resumes at once.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        queue.MapDelete("/{id}", async (string id, HttpContext context, QueueService service) =>
            {
                await service.DeleteAsync(ClientAddress.ActorOf(context), id, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageQueue))
            .WithSummary("Delete the message from the queue, without delivering it and without a bounce.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
