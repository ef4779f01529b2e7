using System.Text;
using System.Xml.Linq;
using MailAdmin.Core.CardDav;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit.CardDav;

public sealed class DavRequestParserTests
{
    private static readonly XNamespace D = "DAV:";
    private static readonly XNamespace C = "urn:ietf:params:xml:ns:carddav";

    [Fact]
    public void ParsePropfind_NamedProperties_KeepsTheirNamespaces()
    {
        var request = DavRequestParser.ParsePropfind(Load("""<propfind xmlns="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><prop><getetag/><c:addressbook-home-set/></prop></propfind>"""));

        Assert.Equal(PropertySelection.Named, request.Selection);
        Assert.Equal([D + "getetag", C + "addressbook-home-set"], request.Names);
    }

    [Theory]
    [InlineData("", PropertySelection.AllProp)]
    [InlineData("  \r\n", PropertySelection.AllProp)]
    [InlineData("""<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>""", PropertySelection.AllProp)]
    [InlineData("""<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>""", PropertySelection.PropName)]
    public void ParsePropfind_AnEmptyBodyOrAllprop_AsksForEverything(string body, PropertySelection expected)
    {
        Assert.Equal(expected, DavRequestParser.ParsePropfind(Load(body)).Selection);
    }

    [Theory]
    [InlineData("<D:propfind xmlns:D=\"DAV:\"><D:prop>", "not well-formed XML")]
    [InlineData("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><lolz>&lol2;</lolz>", "<!DOCTYPE")]
    [InlineData("<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>", "<!DOCTYPE")]
    [InlineData("<propfind/>", "DAV:propfind")]
    [InlineData("<D:propfind xmlns:D=\"DAV:\"/>", "DAV:prop, DAV:allprop or DAV:propname")]
    public void ParsePropfind_MalformedOrDtdOrWrongShape_IsInvalid_SayingWhy(string body, string says)
    {
        var refused = Assert.Throws<MailAdminException>(() => DavRequestParser.ParsePropfind(Load(body)));

        Assert.Equal(ErrorKind.Invalid, refused.Kind);
        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ABodyOverTheLimit_IsRefused()
    {
        var body = Encoding.UTF8.GetBytes("<x>" + new string('a', DavRequestParser.MaxBodyBytes) + "</x>");

        Assert.Equal("request-too-large", Assert.Throws<MailAdminException>(() => DavRequestParser.Load(body)).Code);
    }

    [Fact]
    public void ParseReport_Multiget_ListsItsHrefs()
    {
        var report = Assert.IsType<MultigetReport>(DavRequestParser.ParseReport(Load("""
            <C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
              <D:prop><D:getetag/><C:address-data/></D:prop>
              <D:href> /dav/addressbooks/company.com/a@company.com.vcf </D:href>
              <D:href>/dav/addressbooks/company.com/b@company.com.vcf</D:href>
            </C:addressbook-multiget>
            """)));

        Assert.Equal(["/dav/addressbooks/company.com/a@company.com.vcf", "/dav/addressbooks/company.com/b@company.com.vcf"], report.Hrefs);
        Assert.Equal([D + "getetag", C + "address-data"], report.Properties.Names);
    }

    [Fact]
    public void ParseReport_Query_ReadsTheFilterTestsMatchesAndLimit()
    {
        var report = Assert.IsType<QueryReport>(DavRequestParser.ParseReport(Load("""
            <C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
              <D:prop><D:getetag/></D:prop>
              <C:filter test="allof">
                <C:prop-filter name="fn" test="allof">
                  <C:text-match collation="i;octet" match-type="starts-with" negate-condition="yes">Bob</C:text-match>
                  <C:text-match>smith</C:text-match>
                </C:prop-filter>
                <C:prop-filter name="NICKNAME-X"><C:is-not-defined/></C:prop-filter>
              </C:filter>
              <C:limit><C:nresults>10</C:nresults></C:limit>
            </C:addressbook-query>
            """.Replace("NICKNAME-X", "TEL", StringComparison.Ordinal))));

        Assert.Equal(10, report.Limit);
        Assert.Equal(FilterTest.AllOf, report.Filter.Test);
        var fn = report.Filter.PropFilters[0];
        Assert.Equal("FN", fn.Name);
        Assert.Equal(FilterTest.AllOf, fn.Test);
        Assert.Equal(new TextMatch("Bob", Collation.Octet, TextMatchType.StartsWith, Negate: true), fn.TextMatches[0]);
        Assert.Equal(new TextMatch("smith", Collation.UnicodeCaseMap, TextMatchType.Contains, Negate: false), fn.TextMatches[1]);
        Assert.True(report.Filter.PropFilters[1].IsNotDefined);
    }

    [Theory]
    [InlineData("""<C:prop-filter name="X-SPOUSE"/>""", "supported-filter")]
    [InlineData("""<C:prop-filter name="TEL"><C:param-filter name="TYPE"/></C:prop-filter>""", "supported-filter")]
    [InlineData("""<C:prop-filter name="FN"><C:text-match collation="i;basic">a</C:text-match></C:prop-filter>""", "supported-collation")]
    public void ParseReport_AFilterTheBookCannotApply_FailsThePrecondition_NamingWhatIsUnsupported(string propFilter, string condition)
    {
        var failed = Assert.Throws<DavPreconditionException>(() => DavRequestParser.ParseReport(Load(
            $"""<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><C:filter>{propFilter}</C:filter></C:addressbook-query>""")));

        Assert.Equal(C + condition, failed.Condition);
        Assert.NotEmpty(failed.Content);
        Assert.False(string.IsNullOrWhiteSpace(failed.Message));
    }

    [Theory]
    [InlineData("""<C:filter test="some"/>""")]
    [InlineData("""<C:filter><C:prop-filter/></C:filter>""")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match match-type="fuzzy">a</C:text-match></C:prop-filter></C:filter>""")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:text-match negate-condition="maybe">a</C:text-match></C:prop-filter></C:filter>""")]
    [InlineData("""<C:filter><C:prop-filter name="FN"><C:is-not-defined/><C:text-match>a</C:text-match></C:prop-filter></C:filter>""")]
    [InlineData("""<C:limit><C:nresults>-1</C:nresults></C:limit>""")]
    [InlineData("""<C:limit><C:nresults>many</C:nresults></C:limit>""")]
    public void ParseReport_AQueryOfTheWrongShape_IsInvalid(string inner)
    {
        var refused = Assert.Throws<MailAdminException>(() => DavRequestParser.ParseReport(Load(
            $"""<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">{inner}</C:addressbook-query>""")));

        Assert.Equal(ErrorKind.Invalid, refused.Kind);
    }

    [Theory]
    [InlineData("<D:sync-token/>", "", null)]
    [InlineData("<D:sync-token>urn:x-mailadmin:carddav-sync:abc</D:sync-token><D:sync-level>infinite</D:sync-level>", "urn:x-mailadmin:carddav-sync:abc", null)]
    [InlineData("<D:sync-token/><D:sync-level>1</D:sync-level><D:limit><D:nresults>5</D:nresults></D:limit>", "", 5)]
    public void ParseReport_SyncCollection_ReadsTokenAndLimit(string inner, string token, int? limit)
    {
        var report = Assert.IsType<SyncCollectionReport>(DavRequestParser.ParseReport(Load(
            $"""<D:sync-collection xmlns:D="DAV:">{inner}<D:prop><D:getetag/></D:prop></D:sync-collection>""")));

        Assert.Equal(token, report.SyncToken);
        Assert.Equal(limit, report.Limit);
    }

    [Fact]
    public void ParseReport_AnUnknownSyncLevel_IsInvalid()
    {
        Assert.Equal(ErrorKind.Invalid, Assert.Throws<MailAdminException>(() => DavRequestParser.ParseReport(Load(
            """<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>2</D:sync-level></D:sync-collection>"""))).Kind);
    }

    [Fact]
    public void ParseReport_AnotherReport_FailsSupportedReport()
    {
        var failed = Assert.Throws<DavPreconditionException>(() => DavRequestParser.ParseReport(Load("""<D:expand-property xmlns:D="DAV:"/>""")));

        Assert.Equal(D + "supported-report", failed.Condition);
    }

    private static XDocument? Load(string body) => DavRequestParser.Load(Encoding.UTF8.GetBytes(body));
}
