using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record AdminResponse(string Principal, string Role, string? Domain);

public sealed record CreateLocalAdminRequest(string? Name, string? Password, string? Role, string? Domain);

internal static class AdministratorEndpoints
{
    public static void MapAdministratorEndpoints(this RouteGroupBuilder api)
    {
        var admins = api.MapGroup("/admins").WithTags("Administrators");
        admins.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.For(Permission.ViewAdministrators))
            .WithSummary("Who administers this server, with which role.");
        admins.MapPut("/", ReplaceAsync)
            .RequireAuthorization(Policies.For(Permission.ManageAdministrators))
            .WithSummary("Replace the whole administrator list.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        admins.MapPost("/local", CreateLocalAsync)
            .RequireAuthorization(Policies.For(Permission.ManageAdministrators))
            .WithSummary("Create a local administrator account (not from a directory) with a role.")
            .Produces<AdminResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IEnumerable<AdminResponse>> ListAsync(HttpContext context, AdministratorService administrators)
    {
        var grants = await administrators.ListAdminsAsync(context.User.RequireAdmin(), context.RequestAborted);
        return grants.Select(ToResponse);
    }

    private static async Task<IResult> ReplaceAsync(IReadOnlyList<AdminResponse> request, HttpContext context, AdministratorService administrators)
    {
        var grants = request.Select(g => new AdminGrantInfo(g.Principal ?? string.Empty, ParseRole(g.Role), g.Domain)).ToList();
        await administrators.ReplaceAdminsAsync(ClientAddress.ActorOf(context), grants, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateLocalAsync(CreateLocalAdminRequest request, HttpContext context, AdministratorService administrators)
    {
        var grant = await administrators.CreateLocalAdminAsync(ClientAddress.ActorOf(context),
            request.Name ?? string.Empty, request.Password ?? string.Empty, ParseRole(request.Role), request.Domain, context.RequestAborted);
        return Results.Created("/api/v1/admins", ToResponse(grant));
    }

    private static AdminRole ParseRole(string? role) =>
        AdminRoles.TryParse(role, out var parsed)
            ? parsed
            : throw MailAdminException.Invalid("invalid-role", $"'{role}' is not a role: use server-rw, server-ro or domain-admin.");

    private static AdminResponse ToResponse(AdminGrantInfo grant) => new(grant.Principal, grant.Role.ToWire(), grant.Domain);
}
