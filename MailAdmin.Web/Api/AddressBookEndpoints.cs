using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record AliasRequest(string? Alias, string? Target);

public sealed record ListRequest(string? Address, IReadOnlyList<string>? Members);

public sealed record ListMembersRequest(IReadOnlyList<string>? Members);

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
        domain.MapDelete("/aliases/{alias}", async (string name, string alias, HttpContext context, AddressBookService service) =>
            {
                await service.DeleteAliasAsync(ClientAddress.ActorOf(context), name, alias, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Remove an alias.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
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
        domain.MapPut("/lists/{address}", async (string name, string address, ListMembersRequest request, HttpContext context, AddressBookService service) =>
            {
                var list = await service.UpdateListAsync(ClientAddress.ActorOf(context), name, address, request.Members ?? [], context.RequestAborted);
                return new { address = list.Address, members = list.Members };
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Replace a mailing list's members; refused when a member leads back to the list.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        domain.MapDelete("/lists/{address}", async (string name, string address, HttpContext context, AddressBookService service) =>
            {
                await service.DeleteListAsync(ClientAddress.ActorOf(context), name, address, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Remove a mailing list.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
