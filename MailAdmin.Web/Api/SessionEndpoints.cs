using MailAdmin.Core.Accounts;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record SessionRequest(string? Username, string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

internal static class SessionEndpoints
{
    public static void MapSessionEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/session", SignInAsync)
            .AllowAnonymous()
            .WithTags("Session")
            .WithSummary("Sign in; sets the same cookie the console uses.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapDelete("/session", SignOutAsync)
            .AllowAnonymous()
            .WithTags("Session")
            .WithSummary("Sign out; succeeds also without a session.")
            .Produces(StatusCodes.Status204NoContent);
        api.MapPost("/account/password", ChangePasswordAsync)
            .RequireAuthorization(Policies.For(Permission.ChangeOwnPassword))
            .WithTags("Session")
            .WithSummary("Change the signed-in administrator's own password; other sessions end.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SignInAsync(SessionRequest? request, HttpContext context, AdministratorService administrators)
    {
        var signedIn = await administrators.SignInAsync(request?.Username, request?.Password, ClientAddress.Of(context), context.RequestAborted);
        await ConsoleSession.SignInAsync(context, signedIn);
        return Results.NoContent();
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, AuditLog audit)
    {
        if (context.User.ToAdmin() is { } admin)
        {
            await audit.RecordAsync(admin.Id, ClientAddress.Of(context), "session.logout", admin.Id, AuditLog.Success, context.RequestAborted);
        }

        await ConsoleSession.SignOutAsync(context);
        return Results.NoContent();
    }

    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest request, HttpContext context, AdministratorService administrators)
    {
        var admin = context.User.RequireAdmin();
        var stamp = await administrators.ChangeOwnPasswordAsync(new Actor(admin, ClientAddress.Of(context)),
            request.CurrentPassword ?? string.Empty, request.NewPassword ?? string.Empty, context.RequestAborted);
        await ConsoleSession.SignInAsync(context, new SignedIn(admin, stamp));
        return Results.NoContent();
    }
}
