using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>A WebDAV answer: its status and, for XML bodies, the document.</summary>
public sealed record DavAnswer(HttpStatusCode Status, string Body, XDocument? Xml, HttpResponseHeaders Headers, string? ContentType)
{
    public static readonly XNamespace D = "DAV:";
    public static readonly XNamespace C = "urn:ietf:params:xml:ns:carddav";
    public static readonly XNamespace CS = "http://calendarserver.org/ns/";

    /// <summary>The responses of a multistatus, by href.</summary>
    public IReadOnlyList<XElement> Responses => [.. Xml!.Root!.Elements(D + "response")];

    public XElement ResponseFor(string href) => Responses.Single(r => r.Element(D + "href")!.Value == href);

    /// <summary>The value of a property found (200) in a response.</summary>
    public static XElement? Found(XElement response, XName property) =>
        response.Elements(D + "propstat").Where(p => p.Element(D + "status")!.Value.Contains(" 200 ", StringComparison.Ordinal))
            .Select(p => p.Element(D + "prop")!.Element(property)).FirstOrDefault(e => e is not null);

    public static bool Missing(XElement response, XName property) =>
        response.Elements(D + "propstat").Any(p => p.Element(D + "status")!.Value.Contains(" 404 ", StringComparison.Ordinal) && p.Element(D + "prop")!.Element(property) is not null);
}

/// <summary>Sends WebDAV requests as an address book client would: PROPFIND and REPORT with XML bodies.</summary>
public sealed class DavTestClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public static DavTestClient Basic(TestNode node, string user, string password)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return new DavTestClient(client);
    }

    public Task<DavAnswer> PropfindAsync(string path, string? depth, string? body) => SendAsync("PROPFIND", path, body, depth);

    public Task<DavAnswer> ReportAsync(string path, string body, string? depth = null) => SendAsync("REPORT", path, body, depth);

    public async Task<DavAnswer> SendAsync(string method, string path, string? body, string? depth = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/xml");
        }

        if (depth is not null)
        {
            request.Headers.Add("Depth", depth);
        }

        configure?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var contentType = response.Content.Headers.ContentType?.MediaType;
        var xml = contentType is "application/xml" or "text/xml" && text.Length > 0 ? XDocument.Parse(text) : null;
        return new DavAnswer(response.StatusCode, text, xml, response.Headers, contentType);
    }

    public void Dispose() => Http.Dispose();
}
