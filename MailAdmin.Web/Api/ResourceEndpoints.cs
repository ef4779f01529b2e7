using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

/// <param name="Type"><c>room</c> or <c>equipment</c>.</param>
/// <param name="Policy"><c>auto-accept</c> or <c>manager-approval</c>.</param>
public sealed record ResourceRequest(string? Address, string? Name, string? Type, int? Capacity, string? Location, string? Description, string? Policy, string? Manager);

public sealed record ResourceResponse(string Address, string Name, string Type, int? Capacity, string? Location, string? Description, string Policy, string? Manager, string HomeServer, bool IsHere);

/// <param name="Status"><c>accepted</c>, <c>pending</c> (awaiting the manager), <c>declined</c> or <c>cancelled</c> (by its organiser).</param>
public sealed record BookingResponse(string Uid, string? Summary, string? Organizer, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, bool Recurring, string Status);

public sealed record BookingAnswerRequest(string? Reason);

internal static class ResourceEndpoints
{
    public static void MapResourceEndpoints(this RouteGroupBuilder api)
    {
        var resources = api.MapGroup("/resources").WithTags("Resources");
        api.MapGet("/resources", async (HttpContext context, ResourceService service, string? domain) =>
                (await service.ListAsync(context.User.RequireAdmin(), domain ?? throw MailAdminException.Invalid("domain-required", "Say whose resources you want with ?domain=."), context.RequestAborted)).Select(ToResponse))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithTags("Resources")
            .WithSummary("The rooms and equipment of a domain, from every server of the distributed domain.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/resources", async (HttpContext context, ResourceService service, string? domain, ResourceRequest request) =>
            {
                var created = await service.CreateAsync(ClientAddress.ActorOf(context), domain, ToInput(request), context.RequestAborted);
                return Results.Created($"/api/v1/resources/{Uri.EscapeDataString(created.Address)}", ToResponse(created));
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithTags("Resources")
            .WithSummary("Add a room or equipment homed on this server; refused when its address is taken.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapGet("/{address}", async (string address, HttpContext context, ResourceService service) =>
                ToResponse(await service.GetAsync(context.User.RequireAdmin(), address, context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("One resource.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        resources.MapPatch("/{address}", async (string address, ResourceRequest request, HttpContext context, ResourceService service) =>
                ToResponse(await service.UpdateAsync(ClientAddress.ActorOf(context), address, ToInput(request), context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Change what is given; only on the resource's home server.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapDelete("/{address}", async (string address, HttpContext context, ResourceService service) =>
            {
                await service.DeleteAsync(ClientAddress.ActorOf(context), address, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Delete a resource; refused while it has bookings to come.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapGet("/{address}/bookings", async (string address, HttpContext context, ResourceService service) =>
                (await service.BookingsAsync(context.User.RequireAdmin(), address, context.RequestAborted)).Select(b =>
                    new BookingResponse(b.Uid, b.Summary, b.Organizer, b.StartsAt, b.EndsAt, b.Recurring, b.Status.ToString().ToLowerInvariant())))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("The resource's meetings that have not ended, soonest first; on its home server.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapPost("/{address}/bookings/{uid}/cancel", async (string address, string uid, BookingAnswerRequest? request, HttpContext context, ResourceService service) =>
            {
                await service.CancelBookingAsync(ClientAddress.ActorOf(context), address, uid, request?.Reason, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Cancel a booking: the resource declines it, and its organiser is told by mail.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapPost("/{address}/bookings/{uid}/approve", async (string address, string uid, HttpContext context, ResourceService service) =>
            {
                await service.ApproveBookingAsync(ClientAddress.ActorOf(context), address, uid, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Approve a request awaiting its manager; refused when it clashes with an accepted booking.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        resources.MapPost("/{address}/bookings/{uid}/decline", async (string address, string uid, BookingAnswerRequest? request, HttpContext context, ResourceService service) =>
            {
                await service.DeclineBookingAsync(ClientAddress.ActorOf(context), address, uid, request?.Reason, context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageUsers))
            .WithSummary("Decline a request awaiting its manager; its organiser is told by mail.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal static string TypeName(ResourceType type) => type == ResourceType.Room ? "room" : "equipment";

    internal static string PolicyName(BookingPolicy policy) => policy == BookingPolicy.AutoAccept ? "auto-accept" : "manager-approval";

    private static ResourceResponse ToResponse(ResourceInfo r) =>
        new(r.Address, r.Name, TypeName(r.Type), r.Capacity, r.Location, r.Description, PolicyName(r.Policy), r.Manager, r.HomeServer, r.IsHere);

    private static ResourceInput ToInput(ResourceRequest request) => new(
        request.Address,
        request.Name,
        request.Type?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "room" => ResourceType.Room,
            "equipment" => ResourceType.Equipment,
            _ => throw MailAdminException.Invalid("invalid-type", "type is room or equipment."),
        },
        request.Capacity,
        request.Location,
        request.Description,
        request.Policy?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "auto-accept" or "autoaccept" => BookingPolicy.AutoAccept,
            "manager-approval" or "managerapproval" => BookingPolicy.ManagerApproval,
            _ => throw MailAdminException.Invalid("invalid-policy", "policy is auto-accept or manager-approval."),
        },
        request.Manager);
}
