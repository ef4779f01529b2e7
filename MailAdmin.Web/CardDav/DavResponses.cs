using System.Text;
using System.Xml;
using System.Xml.Linq;
using MailAdmin.Core.CardDav;
using static MailAdmin.Core.CardDav.CardDavNames;

namespace MailAdmin.Web.CardDav;

/// <summary>Writes WebDAV answers: 207 multistatus documents, <c>DAV:error</c> bodies and plain-text refusals.</summary>
internal static class DavResponses
{
    public const string XmlContentType = "application/xml; charset=utf-8";

    // Entitized line ends: an XML parser turns a raw CRLF into LF, and a card's bytes (RFC 6350 ends lines with CRLF) must arrive unchanged.
    private static readonly XmlWriterSettings WriterSettings = new() { Encoding = new UTF8Encoding(false), Indent = false, Async = true, NewLineHandling = NewLineHandling.Entitize };

    public static XElement NewMultistatus() =>
        new(Multistatus,
            new XAttribute(XNamespace.Xmlns + "D", DavNs.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "C", CardDavNs.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "CS", CalendarServerNs.NamespaceName));

    public static string StatusLine(int status) =>
        $"HTTP/1.1 {status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}";

    /// <summary>A response for one resource: the properties found under 200, the others under 404 (RFC 4918 section 9.1).</summary>
    public static XElement Response(string href, IReadOnlyList<XElement> found, IReadOnlyList<XName> missing)
    {
        var response = new XElement(CardDavNames.Response, new XElement(Href, href));
        if (found.Count > 0 || missing.Count == 0)
        {
            response.Add(new XElement(Propstat, new XElement(Prop, found), new XElement(Status, StatusLine(StatusCodes.Status200OK))));
        }

        if (missing.Count > 0)
        {
            response.Add(new XElement(Propstat, new XElement(Prop, missing.Select(name => new XElement(name))), new XElement(Status, StatusLine(StatusCodes.Status404NotFound))));
        }

        return response;
    }

    /// <summary>A response that is only a status: a card gone since the sync token, an href no card has.</summary>
    public static XElement StatusResponse(string href, int status, XName? error = null)
    {
        var response = new XElement(CardDavNames.Response, new XElement(Href, href), new XElement(Status, StatusLine(status)));
        if (error is not null)
        {
            response.Add(new XElement(Error, new XElement(error)));
        }

        return response;
    }

    public static Task WriteMultistatusAsync(HttpContext context, XElement multistatus) =>
        WriteXmlAsync(context, StatusCodes.Status207MultiStatus, multistatus);

    /// <summary>A failed precondition: 403 with the condition in <c>DAV:error</c> and the reason in words beside it.</summary>
    public static Task WritePreconditionAsync(HttpContext context, DavPreconditionException failure)
    {
        var error = new XElement(Error,
            new XAttribute(XNamespace.Xmlns + "D", DavNs.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "C", CardDavNs.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "M", MailAdminNs.NamespaceName),
            new XElement(failure.Condition, failure.Content),
            new XElement(Message, failure.Message));
        return WriteXmlAsync(context, StatusCodes.Status403Forbidden, error);
    }

    public static async Task WriteTextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, XElement root)
    {
        using var buffer = new MemoryStream();
        await using (var writer = XmlWriter.Create(buffer, WriterSettings))
        {
            await new XDocument(new XDeclaration("1.0", "utf-8", null), root).SaveAsync(writer, context.RequestAborted);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = XmlContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
