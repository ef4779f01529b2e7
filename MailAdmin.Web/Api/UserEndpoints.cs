using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record UserResponse(
    string Address, string DisplayAddress, string Name, string Source, string HomeServer, bool Enabled, bool MissingFromDirectory,
    IReadOnlyList<string> Aliases, IReadOnlyList<string> Groups, UserMigrationResponse? Migration, bool DisabledByAdministrator, bool HiddenFromAddressList);

public sealed record UserPageResponse(IReadOnlyList<UserResponse> Items, int Total);

public sealed record UserDetailResponse(UserResponse User, string? DirectoryDn, string? Login, IReadOnlyDictionary<string, string> Attributes);

public sealed record CreateUserRequest(string? Address, string? Name, string? Password);

public sealed record UpdateUserRequest(string? Name, string? Password, bool? Enabled, bool? HideFromAddressList);

internal static class UserEndpoints
{
    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("Users, paged and searchable; search matches address, name and alias, literally.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapPost("/", async (CreateUserRequest request, HttpContext context, UserService service) =>
            {
                var created = await service.CreateLocalAsync(ClientAddress.ActorOf(context), request.Address ?? string.Empty, request.Name ?? string.Empty, request.Password ?? string.Empty, context.RequestAborted);
                return Results.Created($"/api/v1/users/{Uri.EscapeDataString(created.Address)}", ToResponse(created));
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Create a local user (not from the directory; it stays on this server).")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        users.MapGet("/{address}", async (string address, HttpContext context, UserService service) =>
            {
                var detail = await service.GetAsync(context.User.RequireAdmin(), address, context.RequestAborted);
                return new UserDetailResponse(ToResponse(detail.User), detail.DirectoryDn, detail.Login, detail.Attributes);
            })
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("One user with all addresses, groups and directory attributes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPut("/{address}", async (string address, UpdateUserRequest request, HttpContext context, UserService service) =>
                ToResponse(await service.UpdateAsync(ClientAddress.ActorOf(context), address, new UserChanges(request.Name, request.Password, request.Enabled, request.HideFromAddressList), forwardToHome: true, context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Change a user; omitted fields stay as they are. A local user's name, password and enabled state; a directory user's enabled state only (false disables sign-in whatever the directory says; mail is still delivered). A user of another server is changed by its home server, which checks your rights again.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        users.MapDelete("/{address}", async (string address, HttpContext context, UserService service) =>
            {
                await service.DeleteAsync(ClientAddress.ActorOf(context), address, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Delete a local user, or the kept mailbox of a user the directory disabled or removed.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/groups", async (string? domain, HttpContext context, UserService service) =>
                (await service.ListGroupsAsync(context.User.RequireAdmin(), domain, context.RequestAborted))
                    .Select(g => new { address = g.Address, name = g.Name, members = g.Members }))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithTags("Users")
            .WithSummary("Groups mapped from the directory, with their members (nested groups resolved).");
    }

    private static async Task<UserPageResponse> ListAsync(HttpContext context, UserService service, MigrationService migrations, string? domain, string? search, bool? thisServerOnly,
        int? page, int? pageSize, string? sortBy, bool? descending)
    {
        var sort = sortBy is null ? UserSort.Address : ApiProblems.ParseEnum<UserSort>(sortBy, "sort", "address, name, source, homeServer or enabled");
        var result = await service.ListAsync(context.User.RequireAdmin(),
            new UserQuery(domain, search, thisServerOnly ?? false, page ?? 1, pageSize ?? 50, sort, descending ?? false), context.RequestAborted);
        return new UserPageResponse([.. result.Items.Select(u => ToResponse(u, migrations.ActiveFor(u.Address)))], result.Total);
    }


    private static UserResponse ToResponse(UserInfo u) => ToResponse(u, null);

    private static UserResponse ToResponse(UserInfo u, MigrationInfo? migration) =>
        new(u.Address, u.DisplayAddress, u.Name, u.Source.ToString().ToLowerInvariant(), u.HomeServer, u.Enabled, u.MissingFromDirectory, u.Aliases, u.Groups,
            migration is null ? null : new UserMigrationResponse(migration.Id, migration.State, Math.Round(migration.Progress, 4)), u.DisabledByAdministrator, u.HiddenFromAddressList);
}
