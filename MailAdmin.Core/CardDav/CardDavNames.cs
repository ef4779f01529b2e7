using System.Xml.Linq;

namespace MailAdmin.Core.CardDav;

/// <summary>The XML names of WebDAV (RFC 4918, 5397, 6578), CardDAV (RFC 6352) and CalendarServer's getctag.</summary>
public static class CardDavNames
{
    public static readonly XNamespace DavNs = "DAV:";
    public static readonly XNamespace CardDavNs = "urn:ietf:params:xml:ns:carddav";
    public static readonly XNamespace CalendarServerNs = "http://calendarserver.org/ns/";

    /// <summary>Our own elements: the human-readable reason beside a precondition.</summary>
    public static readonly XNamespace MailAdminNs = "urn:x-mailadmin:dav";

    public static readonly XName Multistatus = DavNs + "multistatus";
    public static readonly XName Response = DavNs + "response";
    public static readonly XName Href = DavNs + "href";
    public static readonly XName Status = DavNs + "status";
    public static readonly XName Propstat = DavNs + "propstat";
    public static readonly XName Prop = DavNs + "prop";
    public static readonly XName Error = DavNs + "error";
    public static readonly XName Propfind = DavNs + "propfind";
    public static readonly XName AllProp = DavNs + "allprop";
    public static readonly XName PropName = DavNs + "propname";
    public static readonly XName Include = DavNs + "include";

    public static readonly XName ResourceType = DavNs + "resourcetype";
    public static readonly XName Collection = DavNs + "collection";
    public static readonly XName Principal = DavNs + "principal";
    public static readonly XName DisplayName = DavNs + "displayname";
    public static readonly XName GetETag = DavNs + "getetag";
    public static readonly XName GetContentType = DavNs + "getcontenttype";
    public static readonly XName GetContentLength = DavNs + "getcontentlength";
    public static readonly XName CurrentUserPrincipal = DavNs + "current-user-principal";
    public static readonly XName PrincipalUrl = DavNs + "principal-URL";
    public static readonly XName CurrentUserPrivilegeSet = DavNs + "current-user-privilege-set";
    public static readonly XName Privilege = DavNs + "privilege";
    public static readonly XName Read = DavNs + "read";
    public static readonly XName SupportedReportSet = DavNs + "supported-report-set";
    public static readonly XName SupportedReport = DavNs + "supported-report";
    public static readonly XName Report = DavNs + "report";
    public static readonly XName SyncToken = DavNs + "sync-token";
    public static readonly XName SyncCollection = DavNs + "sync-collection";
    public static readonly XName SyncLevel = DavNs + "sync-level";
    public static readonly XName Limit = DavNs + "limit";
    public static readonly XName ValidSyncToken = DavNs + "valid-sync-token";
    public static readonly XName NumberOfMatchesWithinLimits = DavNs + "number-of-matches-within-limits";
    public static readonly XName PropfindFiniteDepth = DavNs + "propfind-finite-depth";
    public static readonly XName NeedPrivileges = DavNs + "need-privileges";

    public static readonly XName AddressBook = CardDavNs + "addressbook";
    public static readonly XName AddressBookHomeSet = CardDavNs + "addressbook-home-set";
    public static readonly XName AddressBookDescription = CardDavNs + "addressbook-description";
    public static readonly XName AddressData = CardDavNs + "address-data";
    public static readonly XName AddressDataType = CardDavNs + "address-data-type";
    public static readonly XName SupportedAddressData = CardDavNs + "supported-address-data";
    public static readonly XName SupportedCollationSet = CardDavNs + "supported-collation-set";
    public static readonly XName SupportedCollationElement = CardDavNs + "supported-collation";
    public static readonly XName MaxResourceSize = CardDavNs + "max-resource-size";
    public static readonly XName AddressBookMultiget = CardDavNs + "addressbook-multiget";
    public static readonly XName AddressBookQuery = CardDavNs + "addressbook-query";
    public static readonly XName FilterElement = CardDavNs + "filter";
    public static readonly XName PropFilterElement = CardDavNs + "prop-filter";
    public static readonly XName ParamFilterElement = CardDavNs + "param-filter";
    public static readonly XName TextMatchElement = CardDavNs + "text-match";
    public static readonly XName IsNotDefined = CardDavNs + "is-not-defined";
    public static readonly XName CardLimit = CardDavNs + "limit";
    public static readonly XName NResults = CardDavNs + "nresults";
    public static readonly XName SupportedFilter = CardDavNs + "supported-filter";
    public static readonly XName SupportedCollation = CardDavNs + "supported-collation";
    public static readonly XName SupportedAddressDataConversion = CardDavNs + "supported-address-data-conversion";

    public static readonly XName GetCTag = CalendarServerNs + "getctag";

    public static readonly XName Message = MailAdminNs + "message";
}
