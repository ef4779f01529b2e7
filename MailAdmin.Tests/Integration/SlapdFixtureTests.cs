using System.DirectoryServices.Protocols;
using System.Net;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration;

public sealed class SlapdFixtureTests(SlapdFixture slapd) : IClassFixture<SlapdFixture>
{
    private static readonly TimeSpan LdapTimeout = TimeSpan.FromSeconds(10);

    private string PeopleDn => $"ou=People,{slapd.BaseDn}";

    [Fact]
    public void Search_PeopleAsAdmin_ReturnsEveryCompanyUser()
    {
        using var connection = Connect(slapd, slapd.BindDn, slapd.BindPassword);
        connection.Bind();

        var people = Search(connection, PeopleDn, "(objectClass=inetOrgPerson)", "uid");

        Assert.Equal(CompanyDirectory.PeopleCount, people.Count);
    }

    [Fact]
    public void Search_NonAsciiName_RoundTripsUtf8()
    {
        using var connection = Connect(slapd, slapd.BindDn, slapd.BindPassword);
        connection.Bind();

        var zoe = Assert.Single(Search(connection, PeopleDn, "(cn=Zoë Dvořák)", "cn", "uid"));

        Assert.Equal(["Zoë Dvořák"], Values(zoe, "cn"));
        Assert.Equal(["zoe"], Values(zoe, "uid"));
    }

    [Fact]
    public void Search_UserWithTwoAddresses_ReturnsBothMails()
    {
        using var connection = Connect(slapd, slapd.BindDn, slapd.BindPassword);
        connection.Bind();

        var alice = Assert.Single(Search(connection, PeopleDn, "(uid=alice)", "mail"));

        Assert.Equal(["alice.novak@company.com", "alice@company.com"], Values(alice, "mail").Order());
    }

    [Fact]
    public void Bind_UserPassword_Succeeds()
    {
        using var connection = Connect(slapd, $"uid=bob,{PeopleDn}", CompanyDirectory.UserPassword);

        connection.Bind();
    }

    [Fact]
    public void Bind_WrongPassword_ThrowsInvalidCredentials()
    {
        using var connection = Connect(slapd, slapd.BindDn, "not-the-password");

        var error = Assert.Throws<LdapException>(connection.Bind);

        Assert.Equal(49, error.ErrorCode);
    }

    [Fact]
    public async Task AddLdifAsync_NewUser_IsFoundBySearch()
    {
        // A server of its own, so the shared one keeps exactly the company's users.
        var server = new SlapdFixture("""
            dn: dc=company,dc=com
            objectClass: dcObject
            objectClass: organization
            dc: company
            o: Company

            dn: ou=People,dc=company,dc=com
            objectClass: organizationalUnit
            ou: People
            """);
        await server.InitializeAsync();
        try
        {
            await server.AddLdifAsync("""
                dn: uid=grace,ou=People,dc=company,dc=com
                objectClass: inetOrgPerson
                uid: grace
                cn: Grace Hopper
                sn: Hopper
                mail: grace.hopper@company.com
                """);

            using var connection = Connect(server, server.BindDn, server.BindPassword);
            connection.Bind();
            var grace = Assert.Single(Search(connection, $"ou=People,{server.BaseDn}", "(uid=grace)", "mail"));
            Assert.Equal(["grace.hopper@company.com"], Values(grace, "mail"));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task InitializeAsync_InvalidLdif_ThrowsWithSlapaddOutput()
    {
        var server = new SlapdFixture("""
            dn: dc=company,dc=com
            objectClass: dcObject
            objectClass: organization
            dc: company
            o: Company

            dn: uid=nameless,dc=company,dc=com
            objectClass: inetOrgPerson
            uid: nameless
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(server.InitializeAsync);

        Assert.Contains("slapadd failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("sn", error.Message, StringComparison.Ordinal);
    }

    private static LdapConnection Connect(SlapdFixture server, string bindDn, string password)
    {
        var connection = new LdapConnection(
            new LdapDirectoryIdentifier(server.Host, server.Port),
            new NetworkCredential(bindDn, password),
            AuthType.Basic)
        {
            Timeout = LdapTimeout,
        };
        connection.SessionOptions.ProtocolVersion = 3;
        return connection;
    }

    private static List<SearchResultEntry> Search(
        LdapConnection connection, string baseDn, string filter, params string[] attributes)
    {
        var request = new SearchRequest(baseDn, filter, SearchScope.OneLevel, attributes);
        var response = (SearchResponse)connection.SendRequest(request, LdapTimeout);
        return [.. response.Entries.Cast<SearchResultEntry>()];
    }

    private static string[] Values(SearchResultEntry entry, string attribute) =>
        (string[])entry.Attributes[attribute].GetValues(typeof(string));
}
