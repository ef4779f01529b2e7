using System.Globalization;
using System.Xml.Linq;
using MailAdmin.Core.CardDav;
using static MailAdmin.Core.CardDav.CardDavNames;

namespace MailAdmin.Web.CardDav;

/// <summary>
/// The live properties of each kind of resource (RFC 4918 section 15, RFC 5397, RFC 6352
/// sections 6 and 7, RFC 6578 section 4) and their values. Nothing here is writable.
/// </summary>
internal sealed class DavProperties(HttpRequest request, AddressBookReader reader, GlobalAddressBook books)
{
    private static readonly XName[] RootNames = [ResourceType, DisplayName, CurrentUserPrincipal, AddressBookHomeSet, CurrentUserPrivilegeSet];
    private static readonly XName[] PrincipalNames = [ResourceType, DisplayName, CurrentUserPrincipal, PrincipalUrl, AddressBookHomeSet, CurrentUserPrivilegeSet];
    private static readonly XName[] HomeNames = [ResourceType, DisplayName, CurrentUserPrincipal, CurrentUserPrivilegeSet];

    private static readonly XName[] BookNames =
    [
        ResourceType, DisplayName, AddressBookDescription, GetCTag, SyncToken, SupportedReportSet, SupportedAddressData,
        SupportedCollationSet, CurrentUserPrincipal, CurrentUserPrivilegeSet,
    ];

    private static readonly XName[] CardNames = [ResourceType, DisplayName, GetETag, GetContentType, GetContentLength, CurrentUserPrivilegeSet];

    // RFC 4918's own live properties: the only ones allprop returns. RFC 6578 section 4 (sync-token), RFC 3744
    // (privileges), RFC 3253 (supported-report-set) and RFC 6352 (home set, address data) keep theirs out of it.
    private static readonly HashSet<XName> AllPropNames = [ResourceType, DisplayName, GetETag, GetContentType, GetContentLength];

    /// <summary>What allprop returns.</summary>
    public static IReadOnlyList<XName> AllProp(DavResource resource) => [.. Names(resource).Where(AllPropNames.Contains)];

    /// <summary>What propname lists. A card's address-data only comes when asked for by name (RFC 6352 section 10.4).</summary>
    public static IReadOnlyList<XName> Names(DavResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Kind switch
        {
            DavResourceKind.Root => RootNames,
            DavResourceKind.Principal => PrincipalNames,
            DavResourceKind.Home => HomeNames,
            DavResourceKind.AddressBook => BookNames,
            _ => CardNames,
        };
    }

    /// <summary>The property with its value, or null when the resource has no such property.</summary>
    public async Task<XElement?> ValueAsync(DavResource resource, XName name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (name == CurrentUserPrincipal && resource.Kind != DavResourceKind.Card)
        {
            return new XElement(name, new XElement(Href, DavResource.PrincipalHref(request, reader)));
        }

        if (name == CurrentUserPrivilegeSet)
        {
            // Read only: clients show the book as read-only and do not offer to edit cards.
            return new XElement(name, new XElement(Privilege, new XElement(Read)));
        }

        return resource.Kind switch
        {
            DavResourceKind.Root => Root(name),
            DavResourceKind.Principal => Principal(name),
            DavResourceKind.Home => Home(name),
            DavResourceKind.AddressBook => await BookAsync(resource.Book!, name, cancellationToken),
            _ => Card(resource.Card!, name),
        };
    }

    private XElement? Root(XName name) =>
        name == ResourceType ? new XElement(name, new XElement(Collection))
        : name == DisplayName ? new XElement(name, "MailAdmin")
        : name == AddressBookHomeSet ? new XElement(name, new XElement(Href, DavResource.HomeHref(request)))
        : null;

    private XElement? Principal(XName name) =>
        name == ResourceType ? new XElement(name, new XElement(Collection), new XElement(CardDavNames.Principal))
        : name == DisplayName ? new XElement(name, reader.DisplayName)
        : name == PrincipalUrl ? new XElement(name, new XElement(Href, DavResource.PrincipalHref(request, reader)))
        : name == AddressBookHomeSet ? new XElement(name, new XElement(Href, DavResource.HomeHref(request)))
        : null;

    private static XElement? Home(XName name) =>
        name == ResourceType ? new XElement(name, new XElement(Collection))
        : name == DisplayName ? new XElement(name, "Address books")
        : null;

    private async Task<XElement?> BookAsync(AddressBookView book, XName name, CancellationToken cancellationToken)
    {
        if (name == SyncToken)
        {
            return new XElement(name, await books.SyncTokenAsync(book, cancellationToken));
        }

        return name == ResourceType ? new XElement(name, new XElement(Collection), new XElement(AddressBook))
            : name == DisplayName ? new XElement(name, book.DisplayName)
            : name == AddressBookDescription ? new XElement(name, book.Description)
            : name == GetCTag ? new XElement(name, book.CTag)
            : name == SupportedReportSet ? new XElement(name,
                new[] { AddressBookMultiget, AddressBookQuery, SyncCollection }.Select(report => new XElement(SupportedReport, new XElement(Report, new XElement(report)))))
            : name == SupportedAddressData ? new XElement(name, new XElement(AddressDataType, new XAttribute("content-type", "text/vcard"), new XAttribute("version", "4.0")))
            : name == SupportedCollationSet ? new XElement(name, TextMatch.CollationNames.Select(c => new XElement(SupportedCollationElement, c)))
            : null;
    }

    private static XElement? Card(AddressBookCard card, XName name) =>
        name == ResourceType ? new XElement(name)
        : name == DisplayName ? new XElement(name, card.Entry.Name)
        : name == GetETag ? new XElement(name, card.QuotedETag)
        : name == GetContentType ? new XElement(name, AddressBookCard.ContentType)
        : name == GetContentLength ? new XElement(name, card.Data.Length.ToString(CultureInfo.InvariantCulture))
        : name == AddressData ? new XElement(name, card.Text)
        : null;
}
