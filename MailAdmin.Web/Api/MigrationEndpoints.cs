using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record StartMigrationRequest(IReadOnlyList<string>? Users);

public sealed record MigrationStartedResponse(string Id, string User, string State);

public sealed record MigrationResponse(
    string Id, string User, string Source, string Target, string State, double Progress, long BytesCopied, long BytesTotal,
    long MessagesCopied, long Messages, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? Result, string? Error, long? LockoutMs)
{
    public static MigrationResponse From(MigrationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.Id, info.User, info.Source, info.Target, info.State, Math.Round(info.Progress, 4), info.BytesCopied, info.BytesTotal,
            info.MessagesCopied, info.Messages, info.CreatedAt, info.StartedAt, info.FinishedAt, info.Result, info.Error, info.LockoutMilliseconds);
    }
}

/// <summary>A user's migration as the users list shows it.</summary>
public sealed record UserMigrationResponse(string Id, string State, double Progress);

/// <summary><i>Migrate Here</i> over the API: run on the server the mailboxes move to (API.md, Migration).</summary>
internal static class MigrationEndpoints
{
    public static void MapMigrationEndpoints(this RouteGroupBuilder api)
    {
        var migrations = api.MapGroup("/migrations").WithTags("Migration");
        migrations.MapPost("/", async (StartMigrationRequest request, HttpContext context, MigrationService service) =>
            {
                var started = await service.StartAsync(ClientAddress.ActorOf(context), request.Users ?? [], context.RequestAborted);
                return Results.Json(started.Select(j => new MigrationStartedResponse(j.Id, j.User, j.State)).ToList(), statusCode: StatusCodes.Status202Accepted);
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Migrate Here: move the mailboxes of these users to this server, one at a time. Nothing starts when any user cannot move; the problem lists each with its code.")
            .Produces<List<MigrationStartedResponse>>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        migrations.MapGet("/", async (HttpContext context, MigrationService service) =>
                (await service.ListAsync(context.User.RequireAdmin(), context.RequestAborted)).Select(MigrationResponse.From).ToList())
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("Migrations to this server, current and past, newest first.");
        migrations.MapPost("/{id}/cancel", async (string id, HttpContext context, MigrationService service) =>
            {
                var canceled = await service.CancelAsync(ClientAddress.ActorOf(context), id, context.RequestAborted);
                return Results.Json(MigrationResponse.From(canceled), statusCode: StatusCodes.Status202Accepted);
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Cancel migration: allowed until switching; the target's copy is removed and the source mailbox stays as it was.")
            .Produces<MigrationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
