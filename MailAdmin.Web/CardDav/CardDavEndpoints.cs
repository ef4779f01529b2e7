using MailAdmin.Core.CardDav;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.CardDav;

/// <summary>
/// The read-only CardDAV address book (RFC 6352) of the Global Address List:
/// <c>/.well-known/carddav</c> leads to <c>/dav/</c> (RFC 6764), whose principal names the
/// address book home <c>/dav/addressbooks/</c>, which holds one book per domain the reader may
/// read. Users of the domain sign in with HTTP Basic and their mail password (over TLS or from
/// this machine), administrators with the console's cookie.
/// </summary>
public static class CardDavEndpoints
{
    private static readonly string[] ReadMethods = ["GET", "HEAD", "PROPFIND", "REPORT"];

    private static readonly string[] WriteMethods = ["PUT", "POST", "PATCH", "DELETE", "MKCOL", "PROPPATCH", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL"];

    /// <summary>Whether a request is for the address book, whose clients expect 401/403, never a redirect to the console's login page.</summary>
    public static bool IsCardDav(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments("/dav", StringComparison.Ordinal) || request.Path.StartsWithSegments("/.well-known/carddav", StringComparison.OrdinalIgnoreCase);
    }

    public static WebApplication MapCardDav(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // RFC 6764 section 5: a client that only knows the host asks here first, with any method.
        app.MapMethods("/.well-known/carddav", [.. ReadMethods, "OPTIONS"], (HttpContext context) =>
                Results.Redirect(DavResource.RootHref(context.Request), permanent: true))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapMethods("/dav/{**path}", ["OPTIONS"], CardDavHandler.WriteOptions)
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapMethods("/dav/{**path}", [.. ReadMethods, .. WriteMethods], (HttpContext context, string? path, GlobalAddressBook books) =>
                CardDavHandler.HandleAsync(context, path, books))
            .RequireAuthorization(Policies.DomainReader)
            .ExcludeFromDescription();
        return app;
    }
}
