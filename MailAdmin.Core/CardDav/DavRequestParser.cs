using System.Xml;
using System.Xml.Linq;
using MailAdmin.Core.Errors;
using static MailAdmin.Core.CardDav.CardDavNames;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// Reads the XML bodies of PROPFIND and REPORT safely: no DTD (so no entity expansion and no
/// external entity), no resolver, a size limit. A body that is not XML, or not the shape the
/// RFC gives, is refused as <see cref="ErrorKind.Invalid"/> (400) with a message that says what
/// was wrong; a well-formed request for something the address book does not support fails a
/// precondition (403) instead, as RFC 6352 and RFC 6578 ask.
/// </summary>
public static class DavRequestParser
{
    /// <summary>Largest request body read: a multiget of ten thousand hrefs fits.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public const int MaxTextMatchLength = 1000;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBodyBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        Async = false,
    };

    /// <summary>The body as XML, or null when it is empty.</summary>
    public static XDocument? Load(ReadOnlyMemory<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw MailAdminException.Invalid("request-too-large", $"The request body is larger than {MaxBodyBytes / 1024} KiB.");
        }

        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            // Entities are how XML bombs and external-entity reads work; a WebDAV body needs none.
            throw MailAdminException.Invalid("malformed-xml", "The request body has a document type declaration (<!DOCTYPE ...>), which this server refuses: send the XML without it.");
        }
        catch (XmlException e)
        {
            throw MailAdminException.Invalid("malformed-xml", $"The request body is not well-formed XML: {e.Message}");
        }
    }

    /// <summary>A PROPFIND body (RFC 4918 section 14.20); none means allprop.</summary>
    public static PropertyRequest ParsePropfind(XDocument? body)
    {
        if (body?.Root is not { } root)
        {
            return PropertyRequest.AllProp;
        }

        if (root.Name != Propfind)
        {
            throw Invalid($"A PROPFIND body is a DAV:propfind element, not {Describe(root.Name)}.");
        }

        return ParseSelection(root) ?? throw Invalid("DAV:propfind holds DAV:prop, DAV:allprop or DAV:propname.");
    }

    /// <summary>A REPORT body: addressbook-multiget, addressbook-query or sync-collection.</summary>
    public static ReportRequest ParseReport(XDocument? body)
    {
        var root = body?.Root ?? throw Invalid("A REPORT needs a body: CARDDAV:addressbook-multiget, CARDDAV:addressbook-query or DAV:sync-collection.");
        var properties = ParseSelection(root) ?? PropertyRequest.AllProp;
        if (root.Name == AddressBookMultiget)
        {
            var hrefs = root.Elements(Href).Select(h => h.Value.Trim()).Where(h => h.Length > 0).ToList();
            return hrefs.Count > 0 ? new MultigetReport(properties, hrefs) : throw Invalid("CARDDAV:addressbook-multiget names at least one DAV:href.");
        }

        if (root.Name == AddressBookQuery)
        {
            var filter = root.Element(FilterElement) is { } element ? ParseFilter(element) : CardFilter.All;
            return new QueryReport(properties, filter, ParseLimit(root.Element(CardLimit), NResults, "CARDDAV:limit"));
        }

        if (root.Name == SyncCollection)
        {
            var level = root.Element(SyncLevel)?.Value.Trim() ?? "1";
            if (level is not ("1" or "infinite"))
            {
                throw Invalid($"DAV:sync-level is 1 or infinite, not '{level}'.");
            }

            // The address book has no child collections, so "infinite" reports exactly what "1" does.
            var token = root.Element(SyncToken)?.Value.Trim() ?? string.Empty;
            return new SyncCollectionReport(properties, token, ParseLimit(root.Element(Limit), DavNs + "nresults", "DAV:limit"));
        }

        throw new DavPreconditionException(SupportedReport,
            $"This server answers the reports CARDDAV:addressbook-multiget, CARDDAV:addressbook-query and DAV:sync-collection, not {Describe(root.Name)}.");
    }

    private static PropertyRequest? ParseSelection(XElement parent)
    {
        if (parent.Element(Prop) is { } prop)
        {
            return new PropertyRequest(PropertySelection.Named, [.. prop.Elements().Select(e => e.Name).Distinct()]);
        }

        if (parent.Element(PropName) is not null)
        {
            return new PropertyRequest(PropertySelection.PropName, []);
        }

        return parent.Element(AllProp) is not null ? PropertyRequest.AllProp : null;
    }

    private static CardFilter ParseFilter(XElement filter)
    {
        var test = ParseTest(filter, "CARDDAV:filter");
        var propFilters = new List<PropFilter>();
        foreach (var element in filter.Elements(PropFilterElement))
        {
            var name = element.Attribute("name")?.Value.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw Invalid("CARDDAV:prop-filter needs a name attribute: the vCard property, such as FN or EMAIL.");
            }

            if (!CardFilter.SupportedProperties.Contains(name))
            {
                throw new DavPreconditionException(SupportedFilter,
                    $"The address book cannot filter on the property {name}: filter on {string.Join(", ", CardFilter.SupportedProperties.Order(StringComparer.Ordinal))}.",
                    [new XElement(PropFilterElement, new XAttribute("name", name))]);
            }

            if (element.Element(ParamFilterElement) is { } param)
            {
                throw new DavPreconditionException(SupportedFilter,
                    "The address book does not filter on vCard parameters (CARDDAV:param-filter): filter on property values with CARDDAV:text-match.",
                    [new XElement(ParamFilterElement, new XAttribute("name", param.Attribute("name")?.Value ?? string.Empty))]);
            }

            var matches = element.Elements(TextMatchElement).Select(ParseTextMatch).ToList();
            var isNotDefined = element.Element(IsNotDefined) is not null;
            if (isNotDefined && matches.Count > 0)
            {
                throw Invalid($"The CARDDAV:prop-filter for {name} has both CARDDAV:is-not-defined and CARDDAV:text-match: use one.");
            }

            propFilters.Add(new PropFilter(name.ToUpperInvariant(), ParseTest(element, "CARDDAV:prop-filter"), isNotDefined, matches));
        }

        return new CardFilter(test, propFilters);
    }

    private static TextMatch ParseTextMatch(XElement element)
    {
        var collationName = element.Attribute("collation")?.Value;
        var collation = TextMatch.ParseCollation(collationName)
            ?? throw new DavPreconditionException(SupportedCollation,
                $"The collation '{collationName}' is not supported: use {string.Join(", ", TextMatch.CollationNames)}.",
                [new XElement(SupportedCollation, collationName)]);
        var matchType = element.Attribute("match-type")?.Value switch
        {
            null or "contains" => TextMatchType.Contains,
            "equals" => TextMatchType.EqualTo,
            "starts-with" => TextMatchType.StartsWith,
            "ends-with" => TextMatchType.EndsWith,
            var other => throw Invalid($"CARDDAV:text-match's match-type is equals, contains, starts-with or ends-with, not '{other}'."),
        };
        var negate = element.Attribute("negate-condition")?.Value switch
        {
            null or "no" => false,
            "yes" => true,
            var other => throw Invalid($"CARDDAV:text-match's negate-condition is yes or no, not '{other}'."),
        };
        var text = element.Value;
        if (text.Length > MaxTextMatchLength)
        {
            throw Invalid($"A CARDDAV:text-match holds at most {MaxTextMatchLength} characters.");
        }

        return new TextMatch(text, collation, matchType, negate);
    }

    private static FilterTest ParseTest(XElement element, string what) => element.Attribute("test")?.Value switch
    {
        null or "anyof" => FilterTest.AnyOf,
        "allof" => FilterTest.AllOf,
        var other => throw Invalid($"{what}'s test is anyof or allof, not '{other}'."),
    };

    private static int? ParseLimit(XElement? limit, XName nresults, string what)
    {
        if (limit is null)
        {
            return null;
        }

        var text = limit.Element(nresults)?.Value.Trim();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Invalid($"{what} holds an nresults element with a positive number, not '{text}'.");
    }

    private static string Describe(XName name) => string.IsNullOrEmpty(name.NamespaceName) ? name.LocalName : $"{{{name.NamespaceName}}}{name.LocalName}";

    private static MailAdminException Invalid(string message) => MailAdminException.Invalid("invalid-dav-request", message);
}
