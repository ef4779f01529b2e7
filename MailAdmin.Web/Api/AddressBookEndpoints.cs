using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record AliasRequest(string? Alias, string? Target);

public sealed record ListRequest(string? Address, IReadOnlyList<string>? Members);

internal static class AddressBookEndpoints
{
    public static void MapAddressBookEndpoints(this RouteGroupBuilder api)
    {
        var domain = api.MapGroup("/domains/{name}").WithTags("Aliases and lists");
        domain.MapGet("/aliases", async (string name, HttpContext context, AddressBookService service) =>
                (await service.ListAliasesAsync(context.User.RequireAdmin(), name, context.RequestAborted)).Select(a => new { alias = a.Alias, target = a.Target }))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("The domain's aliases.");
        domain.MapPost("/aliases", async (string name, AliasRequest request, HttpContext context, AddressBookService service) =>
            {
                var alias = await service.CreateAliasAsync(ClientAddress.ActorOf(context), name, request.Alias ?? string.Empty, request.Target ?? string.Empty, context.RequestAborted);
                return Results.Created($"/api/v1/domains/{name}/aliases", new { alias = alias.Alias, target = alias.Target });
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Add an alias; refused when the address exists or the alias would loop.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        domain.MapGet("/lists", async (string name, HttpContext context, AddressBookService service) =>
                (await service.ListListsAsync(context.User.RequireAdmin(), name, context.RequestAborted)).Select(l => new { address = l.Address, members = l.Members }))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("The domain's mailing lists.");
        domain.MapPost("/lists", async (string name, ListRequest request, HttpContext context, AddressBookService service) =>
            {
                var list = await service.CreateListAsync(ClientAddress.ActorOf(context), name, request.Address ?? string.Empty, request.Members ?? [], context.RequestAborted);
                return Results.Created($"/api/v1/domains/{name}/lists", new { address = list.Address, members = list.Members });
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Add a mailing list; refused when the address exists or a member leads back to the list.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
