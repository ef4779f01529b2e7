using MailAdmin.Core.Accounts;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record AuditItemResponse(DateTimeOffset At, string Actor, string ClientAddress, string Action, string Target, string Result);

public sealed record AuditPageResponse(IReadOnlyList<AuditItemResponse> Items, int Total);

internal static class AuditEndpoints
{
    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", QueryAsync)
            .RequireAuthorization(Policies.For(Permission.ViewAudit))
            .WithTags("Audit")
            .WithSummary("The audit log, newest first; actor matches a part of the name, action a prefix.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<AuditPageResponse> QueryAsync(HttpContext context, AuditLog audit, string? actor, string? action, int? page, int? pageSize)
    {
        var result = await audit.QueryAsync(context.User.RequireAdmin(), new AuditQuery(actor, action, page ?? 1, pageSize ?? 50), context.RequestAborted);
        return new AuditPageResponse(
            [.. result.Items.Select(e => new AuditItemResponse(e.At, e.Actor, e.ClientAddress, e.Action, e.Target, e.Result))],
            result.Total);
    }
}
