using System.Xml.Linq;

namespace MailAdmin.Core.CardDav;

/// <summary>The XML names of WebDAV (RFC 4918, 5397, 6578), CardDAV (RFC 6352) and CalendarServer's getctag.</summary>
public static class CardDavNames
{
    public static readonly XNamespace Dav = "DAV:";
    public static readonly XNamespace CardDav = "urn:ietf:params:xml:ns:carddav";
    public static readonly XNamespace CalendarServer = "http://calendarserver.org/ns/";

    /// <summary>Our own elements: the human-readable reason beside a precondition.</summary>
    public static readonly XNamespace MailAdmin = "urn:x-mailadmin:dav";

    public static readonly XName Multistatus = Dav + "multistatus";
    public static readonly XName Response = Dav + "response";
    public static readonly XName Href = Dav + "href";
    public static readonly XName Status = Dav + "status";
    public static readonly XName Propstat = Dav + "propstat";
    public static readonly XName Prop = Dav + "prop";
    public static readonly XName Error = Dav + "error";
    public static readonly XName Propfind = Dav + "propfind";
    public static readonly XName AllProp = Dav + "allprop";
    public static readonly XName PropName = Dav + "propname";
    public static readonly XName Include = Dav + "include";

    public static readonly XName ResourceType = Dav + "resourcetype";
    public static readonly XName Collection = Dav + "collection";
    public static readonly XName Principal = Dav + "principal";
    public static readonly XName DisplayName = Dav + "displayname";
    public static readonly XName GetETag = Dav + "getetag";
    public static readonly XName GetContentType = Dav + "getcontenttype";
    public static readonly XName GetContentLength = Dav + "getcontentlength";
    public static readonly XName CurrentUserPrincipal = Dav + "current-user-principal";
    public static readonly XName PrincipalUrl = Dav + "principal-URL";
    public static readonly XName CurrentUserPrivilegeSet = Dav + "current-user-privilege-set";
    public static readonly XName Privilege = Dav + "privilege";
    public static readonly XName Read = Dav + "read";
    public static readonly XName SupportedReportSet = Dav + "supported-report-set";
    public static readonly XName SupportedReport = Dav + "supported-report";
    public static readonly XName Report = Dav + "report";
    public static readonly XName SyncToken = Dav + "sync-token";
    public static readonly XName SyncCollection = Dav + "sync-collection";
    public static readonly XName SyncLevel = Dav + "sync-level";
    public static readonly XName Limit = Dav + "limit";
    public static readonly XName ValidSyncToken = Dav + "valid-sync-token";
    public static readonly XName NumberOfMatchesWithinLimits = Dav + "number-of-matches-within-limits";
    public static readonly XName PropfindFiniteDepth = Dav + "propfind-finite-depth";
    public static readonly XName NeedPrivileges = Dav + "need-privileges";

    public static readonly XName AddressBook = CardDav + "addressbook";
    public static readonly XName AddressBookHomeSet = CardDav + "addressbook-home-set";
    public static readonly XName AddressBookDescription = CardDav + "addressbook-description";
    public static readonly XName AddressData = CardDav + "address-data";
    public static readonly XName AddressDataType = CardDav + "address-data-type";
    public static readonly XName SupportedAddressData = CardDav + "supported-address-data";
    public static readonly XName SupportedCollationSet = CardDav + "supported-collation-set";
    public static readonly XName SupportedCollationElement = CardDav + "supported-collation";
    public static readonly XName MaxResourceSize = CardDav + "max-resource-size";
    public static readonly XName AddressBookMultiget = CardDav + "addressbook-multiget";
    public static readonly XName AddressBookQuery = CardDav + "addressbook-query";
    public static readonly XName FilterElement = CardDav + "filter";
    public static readonly XName PropFilterElement = CardDav + "prop-filter";
    public static readonly XName ParamFilterElement = CardDav + "param-filter";
    public static readonly XName TextMatchElement = CardDav + "text-match";
    public static readonly XName IsNotDefined = CardDav + "is-not-defined";
    public static readonly XName CardLimit = CardDav + "limit";
    public static readonly XName NResults = CardDav + "nresults";
    public static readonly XName SupportedFilter = CardDav + "supported-filter";
    public static readonly XName SupportedCollation = CardDav + "supported-collation";
    public static readonly XName SupportedAddressDataConversion = CardDav + "supported-address-data-conversion";

    public static readonly XName GetCTag = CalendarServer + "getctag";

    public static readonly XName Message = MailAdmin + "message";
}
