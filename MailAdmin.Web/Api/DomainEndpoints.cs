using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record DirectoryResponse(
    string Host, int Port, string Security, string BindDn, string BaseDn, string Profile,
    string? UserFilter, string? GroupFilter, string? PlacementFilter, bool TrustsCustomCa, DateTimeOffset? LastSyncAt, string? LastSyncResult);

public sealed record DomainResponse(string Name, string DisplayName, bool Distributed, DirectoryResponse? Directory, int UserCount, string? Description);

public sealed record DomainSettingsRequest(string? Description);

public sealed record CreateDomainRequest(string? Name);

public sealed record RenameDomainRequest(string? NewName);

public sealed record DirectoryRequest(
    string? Host, int? Port, string? Security, string? BindDn, string? BindPassword, string? BaseDn, string? Profile,
    string? UserFilter, string? GroupFilter, string? PlacementFilter, string? TrustedCaPem);

public sealed record SyncResponse(int Added, int Updated, int Disabled, int Removed, int GroupsAdded, int GroupsUpdated, int GroupsRemoved, IReadOnlyList<string> Skipped, long DurationMs, long ReadMs);

internal static class DomainEndpoints
{
    public static void MapDomainEndpoints(this RouteGroupBuilder api)
    {
        var domains = api.MapGroup("/domains").WithTags("Domains");
        domains.MapGet("/", async (HttpContext context, DomainService service) =>
                (await service.ListAsync(context.User.RequireAdmin(), context.RequestAborted)).Select(ToResponse))
            .RequireAuthorization(Policies.For(Permission.ViewDomains))
            .WithSummary("The domains of this server, with their directory settings (never the bind password).");
        domains.MapPost("/", async (CreateDomainRequest request, HttpContext context, DomainService service) =>
            {
                var created = await service.CreateAsync(ClientAddress.ActorOf(context), request.Name ?? string.Empty, context.RequestAborted);
                return Results.Created($"/api/v1/domains/{created.Name}", ToResponse(created));
            })
            .RequireAuthorization(Policies.For(Permission.ManageDomains))
            .WithSummary("Add a local domain; an internationalised name is stored in its ASCII form.")
            .Produces<DomainResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        domains.MapGet("/{name}", async (string name, HttpContext context, DomainService service) =>
                ToResponse(await service.GetAsync(context.User.RequireAdmin(), name, context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ViewDomains))
            .WithSummary("One domain with its settings.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        domains.MapPut("/{name}", async (string name, DomainSettingsRequest request, HttpContext context, DomainService service) =>
                ToResponse(await service.SetDescriptionAsync(ClientAddress.ActorOf(context), name, request.Description, context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ManageDomains))
            .WithSummary("Change a domain's settings (its description); on a slave, a distributed domain's settings are inherited from the master.")
            .Produces<DomainResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        domains.MapDelete("/{name}", async (string name, HttpContext context, DomainService service) =>
            {
                await service.DeleteAsync(ClientAddress.ActorOf(context), name, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageDomains))
            .WithSummary("Delete a domain; refused while it is distributed or holds mailboxes.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict);
        domains.MapPost("/{name}/rename", async (string name, RenameDomainRequest request, HttpContext context, DomainService service) =>
                ToResponse(await service.RenameAsync(ClientAddress.ActorOf(context), name, request.NewName ?? string.Empty, context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ManageDomains))
            .WithSummary("Rename a domain and every address in it, at once, without a restart.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        domains.MapPut("/{name}/directory", async (string name, DirectoryRequest request, HttpContext context, DomainService service) =>
            {
                await service.SetDirectoryAsync(ClientAddress.ActorOf(context), name, ToInput(request), context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageDomains))
            .WithSummary("Set the domain's directory service; a test bind and search must succeed first.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        domains.MapPost("/{name}/directory/sync", async (string name, HttpContext context, DirectorySyncService sync) =>
            {
                var result = await sync.SyncAsync(ClientAddress.ActorOf(context), name, context.RequestAborted);
                return new SyncResponse(result.Added, result.Updated, result.Disabled, result.Removed,
                    result.GroupsAdded, result.GroupsUpdated, result.GroupsRemoved, result.Skipped, result.DurationMs, result.ReadMs);
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Map the directory's users and groups now.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }


    private static DirectoryInput ToInput(DirectoryRequest r)
    {
        var security = ApiProblems.ParseEnum<DirectorySecurity>(r.Security, "security", "none, ldaps or starttls");
        return new(
            r.Host ?? string.Empty,
            r.Port ?? (security == DirectorySecurity.Ldaps ? 636 : 389),
            security,
            r.BindDn ?? string.Empty,
            string.IsNullOrEmpty(r.BindPassword) ? null : r.BindPassword,
            r.BaseDn ?? string.Empty,
            ApiProblems.ParseEnum<DirectoryProfileKind>(r.Profile, "profile", "openldap or activedirectory"),
            r.UserFilter,
            r.GroupFilter,
            r.PlacementFilter,
            r.TrustedCaPem);
    }

    private static DomainResponse ToResponse(DomainInfo d) => new(
        d.Name,
        d.DisplayName,
        d.Distributed,
        d.Directory is { } x
            ? new DirectoryResponse(x.Host, x.Port, x.Security.ToString().ToLowerInvariant(), x.BindDn, x.BaseDn, x.Profile.ToString().ToLowerInvariant(),
                x.UserFilter, x.GroupFilter, x.PlacementFilter, x.TrustsCustomCa, x.LastSyncAt, x.LastSyncResult)
            : null,
        d.UserCount,
        d.Description);
}
