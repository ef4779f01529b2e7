using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using MailAdmin.Tests.Infrastructure;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;
using static MailAdmin.Tests.Integration.AddressBook.DavAnswer;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>
/// The Global Address List as a read-only CardDAV address book (RFC 6352), driven over HTTP as
/// address book clients drive it: discovery (RFC 6764), PROPFIND, GET, the three reports
/// (multiget, query, sync-collection of RFC 6578), and what it refuses.
/// </summary>
public sealed class CardDavTests(CardDavFixture fixture) : IClassFixture<CardDavFixture>
{
    private const string Book = "/dav/addressbooks/company.com/";
    private const string Bob = "bob.smith@company.com";
    private const string MultiStatus = "207";

    [Fact]
    public async Task Discovery_FromTheWellKnownAddress_LeadsThroughThePrincipalToOneGlobalAddressList()
    {
        using var bob = fixture.User();

        var wellKnown = await bob.SendAsync("PROPFIND", "/.well-known/carddav", Propfind("<D:current-user-principal/>"), "0");
        Assert.Equal(HttpStatusCode.MovedPermanently, wellKnown.Status);
        Assert.Equal("/dav/", wellKnown.Headers.Location?.OriginalString);

        var root = await bob.PropfindAsync("/dav/", "0", Propfind("<D:current-user-principal/>"));
        AssertMultistatus(root);
        var principal = Found(root.Responses[0], D + "current-user-principal")!.Element(D + "href")!.Value;
        Assert.Equal($"/dav/principals/{Bob}/", principal);

        var principalAnswer = await bob.PropfindAsync(principal, "0", Propfind("<C:addressbook-home-set/><D:resourcetype/>"));
        AssertMultistatus(principalAnswer);
        Assert.NotNull(Found(principalAnswer.Responses[0], D + "resourcetype")!.Element(D + "principal"));
        var home = Found(principalAnswer.Responses[0], C + "addressbook-home-set")!.Element(D + "href")!.Value;

        var homeAnswer = await bob.PropfindAsync(home, "1",
            Propfind("<D:resourcetype/><D:displayname/><CS:getctag/><D:sync-token/><D:supported-report-set/><D:current-user-privilege-set/>"));
        AssertMultistatus(homeAnswer);
        var book = Assert.Single(homeAnswer.Responses, r => Found(r, D + "resourcetype")?.Element(C + "addressbook") is not null);
        Assert.Equal(Book, book.Element(D + "href")!.Value);
        Assert.NotNull(Found(book, D + "resourcetype")!.Element(D + "collection"));
        Assert.Equal("Global Address List", Found(book, D + "displayname")!.Value);
        Assert.Matches("^[0-9a-f]{32}$", Found(book, CS + "getctag")!.Value);
        Assert.StartsWith("urn:x-mailadmin:carddav-sync:", Found(book, D + "sync-token")!.Value, StringComparison.Ordinal);
        var reports = Found(book, D + "supported-report-set")!.Descendants(D + "report").Select(r => r.Elements().Single().Name).ToList();
        Assert.Equal([C + "addressbook-multiget", C + "addressbook-query", D + "sync-collection"], reports);
        Assert.Equal([D + "read"], Found(book, D + "current-user-privilege-set")!.Descendants(D + "privilege").SelectMany(p => p.Elements()).Select(e => e.Name));
    }

    [Fact]
    public async Task TheAddressBook_AtDepth1_ListsOneCardPerEntryOfTheList_AndAnswersUnknownPropertiesWith404()
    {
        using var bob = fixture.User();

        var answer = await bob.PropfindAsync(Book, "1", Propfind("<D:getetag/><D:getcontenttype/><D:resourcetype/><D:displayname/><X:color xmlns:X=\"urn:example\"/>"));

        AssertMultistatus(answer);
        var cards = answer.Responses.Where(r => r.Element(D + "href")!.Value != Book).ToList();
        Assert.Equal((await GalAddressesAsync()).Select(a => Book + a + ".vcf").Order(StringComparer.Ordinal), cards.Select(Href).Order(StringComparer.Ordinal));
        Assert.All(cards, card =>
        {
            Assert.Equal("text/vcard; charset=utf-8", Found(card, D + "getcontenttype")!.Value);
            Assert.Matches("^\"[0-9a-f]{32}\"$", Found(card, D + "getetag")!.Value);
            Assert.Empty(Found(card, D + "resourcetype")!.Elements());
            Assert.True(Missing(card, XName.Get("color", "urn:example")));
        });
        Assert.Equal("Bob Smith", Found(answer.ResponseFor(Book + Bob + ".vcf"), D + "displayname")!.Value);
        Assert.True(Missing(answer.ResponseFor(Book), D + "getetag"));
    }

    [Fact]
    public async Task Allprop_ReturnsWebDavsOwnProperties_AndPropnameNamesTheRest()
    {
        using var bob = fixture.User();

        var all = await bob.PropfindAsync(Book, "0", null);
        var names = await bob.PropfindAsync(Book, "0", """<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>""");

        AssertMultistatus(all);
        Assert.Equal("Global Address List", Found(all.Responses.Single(), D + "displayname")!.Value);
        Assert.Null(Found(all.Responses.Single(), D + "sync-token"));
        var named = names.Responses.Single().Descendants(D + "prop").Single().Elements().Select(e => e.Name).ToList();
        Assert.Contains(D + "sync-token", named);
        Assert.Contains(CS + "getctag", named);
        Assert.All(names.Responses.Single().Descendants(D + "prop").Single().Elements(), e => Assert.Empty(e.Nodes()));
    }

    [Fact]
    public async Task GettingACard_ReturnsTheVCard_WithTheETagOfTheListing_And304WhenTheClientHasIt()
    {
        using var bob = fixture.User();
        var listed = await bob.PropfindAsync(Book + Bob + ".vcf", "0", Propfind("<D:getetag/>"));
        var etag = Found(listed.Responses.Single(), D + "getetag")!.Value;

        using var card = await bob.Http.GetAsync(Book + Bob + ".vcf");
        var text = await card.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
        Assert.Equal("text/vcard", card.Content.Headers.ContentType?.MediaType);
        Assert.Equal(etag, card.Headers.ETag?.ToString());
        Assert.StartsWith("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:mailto:bob.smith@company.com\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nFN:Bob Smith\r\n", text, StringComparison.Ordinal);

        var head = await bob.SendAsync("HEAD", Book + Bob + ".vcf", null);
        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Equal(etag, head.Headers.ETag?.ToString());
        Assert.Empty(head.Body);

        var again = await bob.SendAsync("GET", Book + Bob + ".vcf", null, configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", etag));
        Assert.Equal(HttpStatusCode.NotModified, again.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync(Book + "nobody@company.com.vcf")).StatusCode);
    }

    [Fact]
    public async Task Multiget_ReturnsTheCardsAsked_WhateverTheirEscaping_AndA404ForAnHrefWithoutACard()
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, $"""
            <C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
              <D:prop><D:getetag/><C:address-data/></D:prop>
              <D:href>/dav/addressbooks/company.com/bob.smith%40company.com.vcf</D:href>
              <D:href>{fixture.Node.BaseAddress}dav/addressbooks/company.com/alice.novak@company.com.vcf</D:href>
              <D:href>{Book}nobody@company.com.vcf</D:href>
            </C:addressbook-multiget>
            """);

        AssertMultistatus(answer);
        Assert.Contains("\r\nFN:Bob Smith\r\n", Found(answer.ResponseFor(Book + Bob + ".vcf"), C + "address-data")!.Value, StringComparison.Ordinal);
        Assert.Contains("\r\nEMAIL;TYPE=work:alice.novak@company.com\r\n", Found(answer.ResponseFor(Book + "alice.novak@company.com.vcf"), C + "address-data")!.Value, StringComparison.Ordinal);
        Assert.Contains(" 404 ", answer.ResponseFor(Book + "nobody@company.com.vcf").Element(D + "status")!.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" match-type="contains">SMITH</C:text-match></C:prop-filter></C:filter>""", "bob.smith john.smith")]
    [InlineData("""<C:filter><C:prop-filter name="EMAIL"><C:text-match match-type="equals">alice.novak@company.com</C:text-match></C:prop-filter></C:filter>""", "alice.novak")]
    [InlineData("""<C:filter><C:prop-filter name="N"><C:text-match collation="i;ascii-casemap" match-type="starts-with">smith;</C:text-match></C:prop-filter></C:filter>""", "bob.smith john.smith")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match match-type="ends-with">novak</C:text-match></C:prop-filter></C:filter>""", "alice.novak")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match collation="i;octet">smith</C:text-match></C:prop-filter></C:filter>""", "")]
    [InlineData("""<C:filter test="allof"><C:prop-filter name="FN"><C:text-match>smith</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match negate-condition="yes">john</C:text-match></C:prop-filter></C:filter>""", "bob.smith")]
    [InlineData("""<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match match-type="equals">Frank Wu</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match match-type="starts-with">eva.</C:text-match></C:prop-filter></C:filter>""", "eva.green frank.wu")]
    [InlineData("""<C:filter><C:prop-filter name="FN" test="allof"><C:text-match>alice</C:text-match><C:text-match>dan</C:text-match></C:prop-filter></C:filter>""", "")]
    [InlineData("""<C:filter><C:prop-filter name="N"><C:is-not-defined/></C:prop-filter></C:filter>""", "staff")]
    public async Task Query_MatchesNamesAndAddresses_ByTheFilter(string filter, string expected)
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, Query(filter), depth: "1");

        AssertMultistatus(answer);
        var found = answer.Responses.Select(Href).Select(h => h[Book.Length..^"@company.com.vcf".Length]).ToList();
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), found.Order(StringComparer.Ordinal));
        Assert.All(answer.Responses, r => Assert.StartsWith("BEGIN:VCARD", Found(r, C + "address-data")!.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_WithALimit_ReturnsThatManyCards_AndSaysTheAnswerIsTruncated()
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, Query("<C:filter/>", "<C:limit><C:nresults>2</C:nresults></C:limit>"), depth: "1");

        AssertMultistatus(answer);
        Assert.Equal(2, answer.Responses.Count(r => Href(r) != Book));
        var truncated = answer.ResponseFor(Book);
        Assert.Contains(" 507 ", truncated.Element(D + "status")!.Value, StringComparison.Ordinal);
        Assert.NotNull(truncated.Element(D + "error")!.Element(D + "number-of-matches-within-limits"));
    }

    [Theory]
    [InlineData("""<C:filter><C:prop-filter name="X-SPOUSE"><C:text-match>a</C:text-match></C:prop-filter></C:filter>""", "supported-filter")]
    [InlineData("""<C:filter><C:prop-filter name="EMAIL"><C:param-filter name="TYPE"><C:text-match>work</C:text-match></C:param-filter></C:prop-filter></C:filter>""", "supported-filter")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match collation="i;klingon">a</C:text-match></C:prop-filter></C:filter>""", "supported-collation")]
    public async Task Query_WithAFilterTheBookCannotApply_Is403_NamingThePrecondition(string filter, string precondition)
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, Query(filter), depth: "1");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.NotNull(answer.Xml!.Root!.Element(C + precondition));
        Assert.False(string.IsNullOrWhiteSpace(answer.Xml.Root.Element(XName.Get("message", "urn:x-mailadmin:dav"))?.Value));
    }

    [Fact]
    public async Task SyncCollection_ReportsAHiddenUserDeleted_AndADirectoryChangeChanged_AndNothingWhenNothingChanged()
    {
        const string Dan = "dan.brown@company.com";
        const string Eva = "eva.green@company.com";
        using var bob = fixture.User();
        var ctagBefore = await CTagAsync(bob);
        var initial = await SyncCollectionAsync(bob, string.Empty);
        Assert.Equal((await GalAddressesAsync()).Count, initial.Responses.Count);
        var first = SyncToken(initial);
        var evaETag = Found(initial.ResponseFor(Book + Eva + ".vcf"), D + "getetag")!.Value;

        var unchanged = await SyncCollectionAsync(bob, first);
        Assert.Empty(unchanged.Responses);
        Assert.Equal(first, SyncToken(unchanged));

        try
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = true })).StatusCode);
            var hidden = await SyncCollectionAsync(bob, first);
            var gone = Assert.Single(hidden.Responses);
            Assert.Equal(Book + Dan + ".vcf", Href(gone));
            Assert.Contains(" 404 ", gone.Element(D + "status")!.Value, StringComparison.Ordinal);
            var second = SyncToken(hidden);
            Assert.NotEqual(first, second);
            Assert.NotEqual(ctagBefore, await CTagAsync(bob));

            await fixture.Slapd.AddLdifAsync("""
                dn: uid=eva,ou=People,dc=company,dc=com
                changetype: modify
                replace: title
                title: Head of Operations
                """);
            await SyncAsync(fixture.Admin);
            var edited = await SyncCollectionAsync(bob, second);
            var changed = Assert.Single(edited.Responses);
            Assert.Equal(Book + Eva + ".vcf", Href(changed));
            Assert.NotEqual(evaETag, Found(changed, D + "getetag")!.Value);
            Assert.Contains("\r\nTITLE:Head of Operations\r\n", Found(changed, C + "address-data")!.Value, StringComparison.Ordinal);

            // The first token still works: both changes since then.
            var both = await SyncCollectionAsync(bob, first);
            Assert.Equal([Book + Dan + ".vcf", Book + Eva + ".vcf"], both.Responses.Select(Href).Order(StringComparer.Ordinal));
        }
        finally
        {
            await fixture.Admin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = false });
        }
    }

    [Fact]
    public async Task SyncCollection_WithALimit_ReportsInPages_ThatTogetherHoldEveryCard()
    {
        using var bob = fixture.User();
        var total = (await GalAddressesAsync()).Count;
        var seen = new List<string>();
        var token = string.Empty;
        for (var page = 0; page < total; page++)
        {
            var answer = await SyncCollectionAsync(bob, token, "<D:limit><D:nresults>3</D:nresults></D:limit>");
            var truncated = answer.Responses.Any(r => Href(r) == Book);
            seen.AddRange(answer.Responses.Select(Href).Where(h => h != Book));
            token = SyncToken(answer);
            if (!truncated)
            {
                break;
            }
        }

        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Distinct().Count());
        Assert.Empty((await SyncCollectionAsync(bob, token)).Responses);
    }

    [Theory]
    [InlineData("http://example.com/ns/sync/1234")]
    [InlineData("urn:x-mailadmin:carddav-sync:00000000000000000000000000000000")]
    [InlineData("urn:x-mailadmin:carddav-sync:../../node.db")]
    public async Task SyncCollection_WithAnUnknownToken_Is403ValidSyncToken(string token)
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, SyncBody(token), depth: "0");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.NotNull(answer.Xml!.Root!.Element(D + "valid-sync-token"));
    }

    [Fact]
    public async Task SyncCollection_AtInfiniteDepth_Is400()
    {
        using var bob = fixture.User();

        var answer = await bob.ReportAsync(Book, SyncBody(string.Empty), depth: "infinity");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Depth: 0", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPassword_OrNone_Is401_WithABasicChallenge()
    {
        using var wrong = fixture.User(Bob, "not-the-password");
        using var anonymous = new DavTestClient(fixture.Node.CreateClient());

        foreach (var client in new[] { wrong, anonymous })
        {
            var answer = await client.PropfindAsync(Book, "0", Propfind("<D:getetag/>"));
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Contains(answer.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }
    }

    [Fact]
    public async Task AUser_ReadsTheirOwnDomainsBookOnly_AndNoOneElsesPrincipal()
    {
        using var bob = fixture.User();
        using var desk = fixture.User(CardDavFixture.OtherUser, CardDavFixture.OtherPassword);

        Assert.Equal(HttpStatusCode.NotFound, (await desk.PropfindAsync(Book, "0", Propfind("<D:getetag/>"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.Http.GetAsync(Book + Bob + ".vcf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.ReportAsync(Book, SyncBody(string.Empty), "0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PropfindAsync("/dav/addressbooks/other.org/", "0", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PropfindAsync("/dav/principals/alice.novak@company.com/", "0", null)).Status);

        var deskHome = await desk.PropfindAsync("/dav/addressbooks/", "1", Propfind("<D:resourcetype/>"));
        Assert.Equal(["/dav/addressbooks/", "/dav/addressbooks/other.org/"], deskHome.Responses.Select(Href));
    }

    [Fact]
    public async Task AnAdministrator_ReadsEveryDomainsBook_WithTheConsoleCookie()
    {
        var admin = new DavTestClient(fixture.Admin);

        var home = await admin.PropfindAsync("/dav/addressbooks/", "1", Propfind("<D:displayname/>"));

        AssertMultistatus(home);
        Assert.Equal(["/dav/addressbooks/", Book, "/dav/addressbooks/other.org/"], home.Responses.Select(Href));
        Assert.Equal("Global Address List (company.com)", Found(home.ResponseFor(Book), D + "displayname")!.Value);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(Book + Bob + ".vcf")).StatusCode);
    }

    [Theory]
    [InlineData("<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/></D:propfind>", "not well-formed XML")]
    [InlineData("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><D:propfind xmlns:D=\"DAV:\"><D:prop>&a;</D:prop></D:propfind>", "<!DOCTYPE")]
    [InlineData("<D:lockinfo xmlns:D=\"DAV:\"/>", "DAV:propfind")]
    public async Task AMalformedBody_Is400_SayingWhatIsWrong(string body, string says)
    {
        using var bob = fixture.User();

        var answer = await bob.PropfindAsync(Book, "0", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(says, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PropfindAtInfiniteDepth_Is403PropfindFiniteDepth()
    {
        using var bob = fixture.User();

        foreach (var depth in new[] { "infinity", null })
        {
            var answer = await bob.PropfindAsync(Book, depth, Propfind("<D:getetag/>"));
            Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
            Assert.NotNull(answer.Xml!.Root!.Element(D + "propfind-finite-depth"));
        }
    }

    [Theory]
    [InlineData("PUT", Book + "new@company.com.vcf")]
    [InlineData("DELETE", Book + Bob + ".vcf")]
    [InlineData("MKCOL", "/dav/addressbooks/mine/")]
    [InlineData("PROPPATCH", Book)]
    [InlineData("MOVE", Book + Bob + ".vcf")]
    public async Task WriteMethods_AreRefused_BecauseTheBookIsReadOnly(string method, string path)
    {
        using var bob = fixture.User();

        var answer = await bob.SendAsync(method, path, method == "PUT" ? "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:New\r\nEND:VCARD\r\n" : null);

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Contains("read-only", answer.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync(Book + Bob + ".vcf")).StatusCode);
    }

    [Fact]
    public async Task Options_AdvertisesCardDav_WithoutCredentials()
    {
        using var anonymous = new DavTestClient(fixture.Node.CreateClient());

        var answer = await anonymous.SendAsync("OPTIONS", Book, null);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("1, 3, addressbook", string.Join(", ", answer.Headers.GetValues("DAV")));
    }

    private static string Href(XElement response) => response.Element(D + "href")!.Value;

    private static string SyncToken(DavAnswer answer) => answer.Xml!.Root!.Element(D + "sync-token")!.Value;

    private static void AssertMultistatus(DavAnswer answer) =>
        Assert.True(((int)answer.Status).ToString(System.Globalization.CultureInfo.InvariantCulture) == MultiStatus, $"{(int)answer.Status}: {answer.Body}");

    private static string Propfind(string properties) =>
        $"""<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/"><D:prop>{properties}</D:prop></D:propfind>""";

    private static string Query(string filter, string limit = "") =>
        $"""<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>{filter}{limit}</C:addressbook-query>""";

    private static string SyncBody(string token, string limit = "") =>
        $"""<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>{limit}<D:prop><D:getetag/><C:address-data/></D:prop></D:sync-collection>""";

    private static async Task<DavAnswer> SyncCollectionAsync(DavTestClient client, string token, string limit = "")
    {
        var answer = await client.ReportAsync(Book, SyncBody(token, limit), depth: "0");
        AssertMultistatus(answer);
        return answer;
    }

    private static async Task<string> CTagAsync(DavTestClient client) =>
        Found((await client.PropfindAsync(Book, "0", Propfind("<CS:getctag/>"))).Responses.Single(), CS + "getctag")!.Value;

    private async Task<List<string>> GalAddressesAsync()
    {
        using var json = JsonDocument.Parse(await fixture.Admin.GetStringAsync("api/v1/gal?domain=company.com&pageSize=500"));
        return [.. json.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("address").GetString()!)];
    }
}
