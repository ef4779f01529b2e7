using System.Xml.Linq;
using MailAdmin.Core.CardDav;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Security;
using Microsoft.Net.Http.Headers;
using static MailAdmin.Core.CardDav.CardDavNames;

namespace MailAdmin.Web.CardDav;

/// <summary>
/// The HTTP side of the read-only CardDAV address book: each method maps its request onto
/// <see cref="GlobalAddressBook"/> and its answer onto WebDAV XML. Core decides what is listed,
/// who may read it and what changed; this class only speaks the protocol.
/// </summary>
internal static class CardDavHandler
{
    public const string Allow = "OPTIONS, GET, HEAD, PROPFIND, REPORT";

    /// <summary>Compliance classes (RFC 4918 section 18, RFC 6352 section 6.1): no locking, so no class 2.</summary>
    public const string DavClasses = "1, 3, addressbook";

    public const string ReadOnlyMessage =
        "The Global Address List is read-only: it is administered from the directory service and the MailAdmin console, and CardDAV clients may only read it.";

    private const int Infinity = int.MaxValue;

    public static async Task HandleAsync(HttpContext context, string? path, GlobalAddressBook books)
    {
        try
        {
            var reader = ReaderOf(context);
            var request = context.Request;
            switch (request.Method)
            {
                case "PROPFIND":
                    await PropfindAsync(context, path ?? string.Empty, reader, books);
                    break;
                case "REPORT":
                    await ReportAsync(context, path ?? string.Empty, reader, books);
                    break;
                case "GET" or "HEAD":
                    await GetAsync(context, path ?? string.Empty, reader, books);
                    break;
                default:
                    context.Response.Headers.Allow = Allow;
                    await DavResponses.WriteTextAsync(context, StatusCodes.Status403Forbidden, ReadOnlyMessage);
                    break;
            }
        }
        catch (DavPreconditionException e) when (!context.Response.HasStarted)
        {
            await DavResponses.WritePreconditionAsync(context, e);
        }
        catch (MailAdminException e) when (!context.Response.HasStarted)
        {
            var status = e.Code == "request-too-large" ? StatusCodes.Status413PayloadTooLarge : Api.ApiProblems.StatusOf(e.Kind);
            await DavResponses.WriteTextAsync(context, status, e.Message);
        }
    }

    /// <summary>OPTIONS needs no credentials: it says what the server speaks, nothing about anyone's data.</summary>
    public static void WriteOptions(HttpContext context)
    {
        context.Response.Headers["DAV"] = DavClasses;
        context.Response.Headers.Allow = Allow;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    private static AddressBookReader ReaderOf(HttpContext context) =>
        context.User.ToMailUser() is { } user ? AddressBookReader.ForUser(user)
        : context.User.ToAdmin() is { } admin ? AddressBookReader.ForAdmin(admin)
        : throw new InvalidOperationException("The CardDAV endpoints run only for a user of a domain or an administrator.");

    private static async Task PropfindAsync(HttpContext context, string path, AddressBookReader reader, GlobalAddressBook books)
    {
        var cancellationToken = context.RequestAborted;
        var depth = Depth(context.Request, Infinity);
        if (depth == Infinity)
        {
            throw new DavPreconditionException(PropfindFiniteDepth, "PROPFIND with Depth: infinity (or no Depth header) is not answered here: ask with Depth: 0 or Depth: 1.");
        }

        var selection = DavRequestParser.ParsePropfind(DavRequestParser.Load(await ReadBodyAsync(context)));
        var resource = await DavResource.ResolveAsync(context.Request, path, reader, books, cancellationToken) ?? throw NotFound();
        var properties = new DavProperties(context.Request, reader, books);
        var multistatus = DavResponses.NewMultistatus();
        multistatus.Add(await DescribeAsync(properties, resource, selection, cancellationToken));
        if (depth == 1)
        {
            foreach (var child in await resource.ChildrenAsync(context.Request, reader, books, cancellationToken))
            {
                multistatus.Add(await DescribeAsync(properties, child, selection, cancellationToken));
            }
        }

        await DavResponses.WriteMultistatusAsync(context, multistatus);
    }

    private static async Task ReportAsync(HttpContext context, string path, AddressBookReader reader, GlobalAddressBook books)
    {
        var cancellationToken = context.RequestAborted;
        var report = DavRequestParser.ParseReport(DavRequestParser.Load(await ReadBodyAsync(context)));
        var resource = await DavResource.ResolveAsync(context.Request, path, reader, books, cancellationToken) ?? throw NotFound();
        if (resource.Kind != DavResourceKind.AddressBook)
        {
            throw new DavPreconditionException(SupportedReport, "Reports are answered on an address book collection, such as /dav/addressbooks/<your domain>/.");
        }

        var book = resource.Book!;
        var properties = new DavProperties(context.Request, reader, books);
        var multistatus = DavResponses.NewMultistatus();
        switch (report)
        {
            case MultigetReport multiget:
                // RFC 6352 section 8.7: the Depth header does not apply to a multiget.
                foreach (var href in multiget.Hrefs.Distinct(StringComparer.Ordinal))
                {
                    multistatus.Add(CardNameOf(href, resource.Href) is { } name && book.Find(name) is { } card
                        ? await DescribeAsync(properties, DavResource.ForCard(context.Request, book, card), multiget.Properties, cancellationToken)
                        : DavResponses.StatusResponse(href, StatusCodes.Status404NotFound));
                }

                break;
            case QueryReport query:
                // RFC 6352 section 8.6: without a Depth header Depth: 0 applies, which holds the collection and no card.
                var result = Depth(context.Request, 0) == 0 ? new QueryResult([], false) : book.Query(query.Filter, query.Limit);
                foreach (var card in result.Cards)
                {
                    multistatus.Add(await DescribeAsync(properties, DavResource.ForCard(context.Request, book, card), query.Properties, cancellationToken));
                }

                if (result.Truncated)
                {
                    multistatus.Add(DavResponses.StatusResponse(resource.Href, StatusCodes.Status507InsufficientStorage, NumberOfMatchesWithinLimits));
                }

                break;
            case SyncCollectionReport sync:
                // RFC 6578 section 3.2 defines Depth: 0 only; some clients send 1, which means the same for a book without sub-collections.
                if (Depth(context.Request, 0) == Infinity)
                {
                    throw MailAdminException.Invalid("invalid-depth", "A sync-collection report takes Depth: 0 (RFC 6578 section 3.2).");
                }

                var changes = await books.ChangesSinceAsync(book, sync.SyncToken, sync.Limit, cancellationToken);
                foreach (var card in changes.Changed)
                {
                    multistatus.Add(await DescribeAsync(properties, DavResource.ForCard(context.Request, book, card), sync.Properties, cancellationToken));
                }

                foreach (var name in changes.Removed)
                {
                    multistatus.Add(DavResponses.StatusResponse(resource.Href + name, StatusCodes.Status404NotFound));
                }

                if (changes.Truncated)
                {
                    multistatus.Add(DavResponses.StatusResponse(resource.Href, StatusCodes.Status507InsufficientStorage, NumberOfMatchesWithinLimits));
                }

                multistatus.Add(new XElement(SyncToken, changes.SyncToken));
                break;
        }

        await DavResponses.WriteMultistatusAsync(context, multistatus);
    }

    private static async Task GetAsync(HttpContext context, string path, AddressBookReader reader, GlobalAddressBook books)
    {
        var resource = await DavResource.ResolveAsync(context.Request, path, reader, books, context.RequestAborted) ?? throw NotFound();
        byte[] body;
        string etag;
        switch (resource.Kind)
        {
            case DavResourceKind.Card:
                body = resource.Card!.Data.ToArray();
                etag = resource.Card.QuotedETag;
                break;
            case DavResourceKind.AddressBook:
                // The whole book as one vCard file, for a quick look with curl or an import.
                body = [.. resource.Book!.Cards.SelectMany(card => card.Data.ToArray())];
                etag = $"\"{resource.Book.CTag}\"";
                break;
            default:
                context.Response.Headers.Allow = "OPTIONS, PROPFIND";
                await DavResponses.WriteTextAsync(context, StatusCodes.Status405MethodNotAllowed, "This collection has no content of its own: list it with PROPFIND.");
                return;
        }

        var response = context.Response;
        response.Headers.ETag = etag;
        if (NoneMatch(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = AddressBookCard.ContentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task<XElement> DescribeAsync(DavProperties properties, DavResource resource, PropertyRequest request, CancellationToken cancellationToken)
    {
        if (request.Selection == PropertySelection.PropName)
        {
            return DavResponses.Response(resource.Href, [.. DavProperties.Names(resource).Select(name => new XElement(name))], []);
        }

        var names = request.Selection == PropertySelection.AllProp ? DavProperties.AllProp(resource) : request.Names;
        var found = new List<XElement>();
        var missing = new List<XName>();
        foreach (var name in names)
        {
            if (await properties.ValueAsync(resource, name, cancellationToken) is { } value)
            {
                found.Add(value);
            }
            else
            {
                missing.Add(name);
            }
        }

        return DavResponses.Response(resource.Href, found, missing);
    }

    /// <summary>The card name an href of a multiget names in the book at <paramref name="bookHref"/>: a path or a full URL, escaped or not.</summary>
    internal static string? CardNameOf(string href, string bookHref)
    {
        var path = Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsolutePath
            : href.Split('?', '#')[0];
        path = Uri.UnescapeDataString(path);
        if (!path.StartsWith(bookHref, StringComparison.Ordinal))
        {
            return null;
        }

        var name = path[bookHref.Length..];
        return name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) ? name : null;
    }

    /// <summary>The Depth header (RFC 4918 section 10.2): 0, 1 or infinity; absent, <paramref name="absent"/>.</summary>
    private static int Depth(HttpRequest request, int absent)
    {
        var value = request.Headers["Depth"].ToString().Trim();
        return value switch
        {
            "" => absent,
            "0" => 0,
            "1" => 1,
            _ when value.Equals("infinity", StringComparison.OrdinalIgnoreCase) => Infinity,
            _ => throw MailAdminException.Invalid("invalid-depth", $"The Depth header is 0, 1 or infinity, not '{value}'."),
        };
    }

    private static bool NoneMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch.ToString();
        if (header.Length == 0)
        {
            return false;
        }

        return EntityTagHeaderValue.TryParseList([header], out var tags)
            && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(etag), useStrongComparison: false));
    }

    /// <summary>The request body, refused beyond <see cref="DavRequestParser.MaxBodyBytes"/> before more is read.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        var tooLarge = MailAdminException.Invalid("request-too-large", $"The request body is larger than {DavRequestParser.MaxBodyBytes / 1024} KiB.");
        if (context.Request.ContentLength > DavRequestParser.MaxBodyBytes)
        {
            throw tooLarge;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > DavRequestParser.MaxBodyBytes)
            {
                throw tooLarge;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static MailAdminException NotFound() =>
        MailAdminException.NotFound("not-found", "There is nothing here that you may read: the address books are under /dav/addressbooks/.");
}
