using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record GalEntryResponse(string Address, string Name, string Kind, string? Title, string? Department, string? Phone, string? Office, string? HomeServer);

public sealed record GalPageResponse(IReadOnlyList<GalEntryResponse> Items, int Total);

internal static class GalEndpoints
{
    public static void MapGalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/gal", async (HttpContext context, GalService gal, string? domain, string? search, int? page, int? pageSize) =>
            {
                var result = context.User.ToMailUser() is { } user
                    ? await gal.SearchForUserAsync(user, domain, search, page ?? 1, pageSize ?? 50, context.RequestAborted)
                    : await gal.SearchAsync(context.User.RequireAdmin(), domain, search, page ?? 1, pageSize ?? 50, context.RequestAborted);
                return new GalPageResponse([.. result.Items.Select(e => new GalEntryResponse(e.Address, e.Name, e.Kind, e.Title, e.Department, e.Phone, e.Office, e.HomeServer))], result.Total);
            })
            .RequireAuthorization(Policies.DomainReader)
            .WithTags("Global Address List")
            .WithSummary("Users of the domain (HTTP Basic with their mail password) and administrators: the Global Address List of a domain: users of every server, groups and mailing lists, sorted by name; search matches names and addresses literally.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/gal.vcf", async (HttpContext context, GalService gal, string? domain) =>
                Results.Text(VCardWriter.Write(await gal.AllAsync(context.User.RequireAdmin(), domain, context.RequestAborted)), "text/vcard; charset=utf-8"))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithTags("Global Address List")
            .WithSummary("The whole Global Address List as vCard 4.0 (RFC 6350), one card per entry.")
            .Produces<string>(StatusCodes.Status200OK, "text/vcard")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
