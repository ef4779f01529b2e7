using MailAdmin.Core.CardDav;

namespace MailAdmin.Web.CardDav;

public enum DavResourceKind
{
    /// <summary><c>/dav/</c>: where <c>/.well-known/carddav</c> leads (RFC 6764).</summary>
    Root,

    /// <summary><c>/dav/principals/&lt;id&gt;/</c>: the signed-in reader.</summary>
    Principal,

    /// <summary><c>/dav/addressbooks/</c>: the address book home, holding the books the reader may read.</summary>
    Home,

    /// <summary><c>/dav/addressbooks/&lt;domain&gt;/</c>: one domain's Global Address List.</summary>
    AddressBook,

    /// <summary><c>/dav/addressbooks/&lt;domain&gt;/&lt;card&gt;.vcf</c>.</summary>
    Card,
}

/// <summary>
/// A resource of the CardDAV tree, as a path names it. The tree is the same for everyone; what a
/// book holds, and whether the reader may see it, is <see cref="GlobalAddressBook"/>'s to say.
/// </summary>
public sealed record DavResource(DavResourceKind Kind, string Href, AddressBookView? Book = null, AddressBookCard? Card = null)
{
    public const string RootPath = "/dav/";
    public const string HomeSegment = "addressbooks";
    public const string PrincipalsSegment = "principals";

    public bool IsCollection => Kind != DavResourceKind.Card;

    public static string RootHref(HttpRequest request) => request.PathBase + RootPath;

    public static string HomeHref(HttpRequest request) => RootHref(request) + HomeSegment + "/";

    public static string PrincipalHref(HttpRequest request, AddressBookReader reader) =>
        RootHref(request) + PrincipalsSegment + "/" + AddressBookCard.Segment(reader.PrincipalId) + "/";

    public static string BookHref(HttpRequest request, string domain) => HomeHref(request) + domain + "/";

    public static string CardHref(HttpRequest request, AddressBookView book, AddressBookCard card) => BookHref(request, book.Domain) + card.Name;

    /// <summary>The resource a path names, or null when there is none the reader may see.</summary>
    public static async Task<DavResource?> ResolveAsync(HttpRequest request, string path, AddressBookReader reader, GlobalAddressBook books, CancellationToken cancellationToken)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case []:
                return new DavResource(DavResourceKind.Root, RootHref(request));
            case [PrincipalsSegment, var id] when id == AddressBookCard.Segment(reader.PrincipalId):
                return new DavResource(DavResourceKind.Principal, PrincipalHref(request, reader));
            case [HomeSegment]:
                return new DavResource(DavResourceKind.Home, HomeHref(request));
            case [HomeSegment, var domain]:
                var book = await books.OpenAsync(reader, domain, cancellationToken);
                return new DavResource(DavResourceKind.AddressBook, BookHref(request, book.Domain), book);
            case [HomeSegment, var domain, var name]:
                var owner = await books.OpenAsync(reader, domain, cancellationToken);
                return owner.Find(name) is { } card ? new DavResource(DavResourceKind.Card, CardHref(request, owner, card), owner, card) : null;
            default:
                return null;
        }
    }

    /// <summary>The members a Depth: 1 PROPFIND lists beside the resource itself.</summary>
    public async Task<IReadOnlyList<DavResource>> ChildrenAsync(HttpRequest request, AddressBookReader reader, GlobalAddressBook books, CancellationToken cancellationToken)
    {
        switch (Kind)
        {
            case DavResourceKind.Root:
                return [new DavResource(DavResourceKind.Principal, PrincipalHref(request, reader)), new DavResource(DavResourceKind.Home, HomeHref(request))];
            case DavResourceKind.Home:
                var children = new List<DavResource>();
                foreach (var domain in await books.DomainsAsync(reader, cancellationToken))
                {
                    var book = await books.OpenAsync(reader, domain, cancellationToken);
                    children.Add(new DavResource(DavResourceKind.AddressBook, BookHref(request, book.Domain), book));
                }

                return children;
            case DavResourceKind.AddressBook:
                return [.. Book!.Cards.Select(card => ForCard(request, Book, card))];
            default:
                return [];
        }
    }

    public static DavResource ForCard(HttpRequest request, AddressBookView book, AddressBookCard card) =>
        new(DavResourceKind.Card, CardHref(request, book, card), book, card);
}
