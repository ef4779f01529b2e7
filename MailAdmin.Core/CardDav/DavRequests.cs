using System.Xml.Linq;

namespace MailAdmin.Core.CardDav;

/// <summary>Which properties a PROPFIND (or a report's <c>DAV:prop</c>) asks for (RFC 4918 section 9.1).</summary>
public enum PropertySelection
{
    /// <summary>Every live property the resource has (an empty PROPFIND body means this too).</summary>
    AllProp,

    /// <summary>The names of the resource's properties, without values.</summary>
    PropName,

    /// <summary>The properties named in <see cref="PropertyRequest.Names"/>.</summary>
    Named,
}

public sealed record PropertyRequest(PropertySelection Selection, IReadOnlyList<XName> Names)
{
    public static PropertyRequest AllProp { get; } = new(PropertySelection.AllProp, []);
}

/// <summary>A REPORT's body, one of the three the address book answers.</summary>
public abstract record ReportRequest(PropertyRequest Properties);

/// <summary><c>CARDDAV:addressbook-multiget</c> (RFC 6352 section 8.7): the cards at these hrefs.</summary>
public sealed record MultigetReport(PropertyRequest Properties, IReadOnlyList<string> Hrefs) : ReportRequest(Properties);

/// <summary><c>CARDDAV:addressbook-query</c> (RFC 6352 section 8.6): the cards the filter matches, at most <see cref="Limit"/>.</summary>
public sealed record QueryReport(PropertyRequest Properties, CardFilter Filter, int? Limit) : ReportRequest(Properties);

/// <summary><c>DAV:sync-collection</c> (RFC 6578 section 3.2): what changed since <see cref="SyncToken"/> (empty: everything).</summary>
public sealed record SyncCollectionReport(PropertyRequest Properties, string SyncToken, int? Limit) : ReportRequest(Properties);
