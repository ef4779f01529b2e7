using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Errors;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace MailAdmin.Tests.Integration.DirectoryServices;

/// <summary>The LDAP client against a real slapd holding <see cref="CompanyDirectory"/>.</summary>
public sealed class LdapDirectoryClientTests(SlapdFixture slapd) : IClassFixture<SlapdFixture>, IDisposable
{
    private const string AliceDn = "uid=alice,ou=People,dc=company,dc=com";
    private const string SalesDn = "cn=sales,ou=Groups,dc=company,dc=com";
    private const string EngineeringDn = "cn=engineering,ou=Groups,dc=company,dc=com";

    // The staff group's member value names John Smith as the LDIF writes him, with "\,";
    // slapd returns his entry's DN as CompanyDirectory.SmithDn, with "\2C".
    private const string SmithMemberDn = @"cn=Smith\, John,ou=People,dc=company,dc=com";

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly LdapDirectoryClient _client = new(TimeProvider.System, NullLogger<LdapDirectoryClient>.Instance);

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task TestAsync_RightSettings_Succeeds()
    {
        await _client.TestAsync(Connection(slapd), Timeout);
    }

    [Fact]
    public async Task TestAsync_WrongBindPassword_ThrowsBadCredentialsWithoutThePassword()
    {
        var connection = Connection(slapd) with { BindPassword = "Wrong-Password-42" };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-bad-credentials", error.Code);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Contains(slapd.BindDn, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Password-42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestAsync_ClosedPort_ThrowsUnreachableWithHostPortAndReason()
    {
        var port = ClosedLoopbackPort();
        var connection = Connection(slapd) with { Port = port };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-unreachable", error.Code);
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TestAsync_UnknownHost_ThrowsUnreachable()
    {
        var connection = Connection(slapd) with { Host = "no-such-directory.invalid" };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-unreachable", error.Code);
        Assert.Contains("no-such-directory.invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestAsync_MissingBaseDn_ThrowsBaseDnNotFound()
    {
        var connection = Connection(slapd) with { BaseDn = "ou=Nowhere,dc=company,dc=com" };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-base-dn-not-found", error.Code);
        Assert.Contains("ou=Nowhere,dc=company,dc=com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestAsync_MalformedPlacementFilter_ThrowsInvalidDirectoryFilter()
    {
        var connection = Connection(slapd) with { PlacementFilter = "(l=Seattle" };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("invalid-directory-filter", error.Code);
        Assert.Contains("placementFilter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllAsync_CompanyDirectory_ReturnsEveryUserWithDnsAndNamesIntact()
    {
        var snapshot = await _client.ReadAllAsync(Connection(slapd), Timeout);

        Assert.Equal(CompanyDirectory.PeopleCount, snapshot.Users.Count);
        Assert.Equal(snapshot.Users.Count, snapshot.Users.Select(u => u.DirectoryId).Distinct().Count());
        Assert.All(snapshot.Users, u => Assert.True(Guid.TryParse(u.DirectoryId, out _), u.DirectoryId));
        Assert.All(snapshot.Users, u => Assert.True(u.PlacedHere));

        var alice = User(snapshot, AliceDn);
        Assert.Equal(["alice.novak@company.com", "alice@company.com"], alice.Addresses);
        Assert.Equal("Sales Manager", alice.Attributes["title"]);
        Assert.True(alice.Enabled);

        var smith = User(snapshot, CompanyDirectory.SmithDn);
        Assert.Equal("jsmith", smith.Login);
        Assert.Equal("Smith, John", smith.Name);

        var jiri = User(snapshot, CompanyDirectory.JiriDn);
        Assert.Equal("Jiří Černý", jiri.Name);
        Assert.Empty(jiri.Addresses);

        Assert.Equal("Zoë Dvořák", User(snapshot, "uid=zoe,ou=People,dc=company,dc=com").Name);
        Assert.False(User(snapshot, CompanyDirectory.OlgaDn).Enabled);
        Assert.Equal([CompanyDirectory.OlgaDn], snapshot.Users.Where(u => !u.Enabled).Select(u => u.Dn));
    }

    [Fact]
    public async Task ReadAllAsync_CompanyDirectory_ReturnsGroupsWithTheirMembers()
    {
        var snapshot = await _client.ReadAllAsync(Connection(slapd), Timeout);

        Assert.Equal(["engineering", "sales", "staff"], snapshot.Groups.Select(g => g.Name).Order());
        Assert.Equal(
            [AliceDn, "uid=bob,ou=People,dc=company,dc=com", "uid=dan,ou=People,dc=company,dc=com"],
            Group(snapshot, SalesDn).MemberDns);
        Assert.Equal(
            ["uid=carol,ou=People,dc=company,dc=com", "uid=frank,ou=People,dc=company,dc=com", "uid=zoe,ou=People,dc=company,dc=com"],
            Group(snapshot, EngineeringDn).MemberDns);
        var staff = Group(snapshot, CompanyDirectory.StaffDn);
        Assert.Equal("staff@company.com", staff.Address);
        Assert.Equal([SalesDn, EngineeringDn, SmithMemberDn], staff.MemberDns);
    }

    [Fact]
    public async Task ReadAllAsync_PlacementFilter_PlacesOnlyMatchingUsersHere()
    {
        var connection = Connection(slapd) with { PlacementFilter = "(l=Seattle)" };

        var snapshot = await _client.ReadAllAsync(connection, Timeout);

        Assert.Equal(CompanyDirectory.PeopleCount, snapshot.Users.Count);
        Assert.Equal(["carol", "frank"], snapshot.Users.Where(u => u.PlacedHere).Select(u => u.Login).Order());
    }

    [Fact]
    public async Task ReadAllAsync_UserFilter_NarrowsTheUsers()
    {
        var connection = Connection(slapd) with { UserFilter = "(departmentNumber=Engineering)" };

        var snapshot = await _client.ReadAllAsync(connection, Timeout);

        Assert.Equal(["carol", "frank", "zoe"], snapshot.Users.Select(u => u.Login).Order());
    }

    [Fact]
    public async Task ReadAllAsync_ServerDown_ThrowsUnreachable()
    {
        var connection = Connection(slapd) with { Port = ClosedLoopbackPort() };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.ReadAllAsync(connection, Timeout));

        Assert.Equal("directory-unreachable", error.Code);
    }

    [Theory]
    [InlineData("alice.novak@company.com")]
    [InlineData("alice@company.com")]
    [InlineData("ALICE@Company.com")]
    public async Task AuthenticateAsync_RightPassword_ReturnsUserAndGroupsWithNesting(string address)
    {
        var login = await _client.AuthenticateAsync(Connection(slapd), address, login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.NotNull(login);
        Assert.Equal(AliceDn, login.User.Dn);
        Assert.Equal("alice", login.User.Login);
        Assert.Equal([SalesDn, CompanyDirectory.StaffDn], login.GroupDns);
    }

    [Fact]
    public async Task AuthenticateAsync_GroupOfUniqueNamesMember_GetsTheNestedParentGroup()
    {
        var login = await _client.AuthenticateAsync(Connection(slapd), "zoe.dvorak@company.com", login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.NotNull(login);
        Assert.Equal([EngineeringDn, CompanyDirectory.StaffDn], login.GroupDns);
    }

    [Fact]
    public async Task AuthenticateAsync_UserWithEscapedCommaInDn_BindsAndFindsItsGroup()
    {
        var login = await _client.AuthenticateAsync(Connection(slapd), "john.smith@company.com", login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.NotNull(login);
        Assert.Equal(CompanyDirectory.SmithDn, login.User.Dn);
        Assert.Equal([CompanyDirectory.StaffDn], login.GroupDns);
    }

    [Fact]
    public async Task AuthenticateAsync_WrongPassword_ReturnsNull()
    {
        Assert.Null(await _client.AuthenticateAsync(Connection(slapd), "alice@company.com", login: null, "not-her-password", Timeout));
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownAddress_ReturnsNull()
    {
        Assert.Null(await _client.AuthenticateAsync(Connection(slapd), "nobody@company.com", login: null, CompanyDirectory.UserPassword, Timeout));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*)(uid=*")]
    [InlineData("*)(|(uid=*")]
    [InlineData("alice*")]
    [InlineData("alice*@company.com")]
    [InlineData("*@company.com")]
    [InlineData("\\")]
    [InlineData("alice@company.com\\")]
    [InlineData("\0")]
    [InlineData("alice@company.com\0")]
    [InlineData("alice@company.com)(mail=*")]
    public async Task AuthenticateAsync_InjectionInAddress_ReturnsNull(string address)
    {
        // The right password: only escaping keeps these from matching alice (or everyone).
        Assert.Null(await _client.AuthenticateAsync(Connection(slapd), address, login: null, CompanyDirectory.UserPassword, Timeout));
    }

    [Theory]
    [InlineData("")]
    [InlineData(CompanyDirectory.UserPassword + "\0anything")]
    public async Task AuthenticateAsync_EmptyOrNulTruncatedPassword_ReturnsNull(string password)
    {
        Assert.Null(await _client.AuthenticateAsync(Connection(slapd), "alice@company.com", login: null, password, Timeout));
    }

    [Fact]
    public async Task AuthenticateAsync_DisabledUserWithRightPassword_ReturnsNull()
    {
        Assert.Null(await _client.AuthenticateAsync(Connection(slapd), "olga.petrova@company.com", login: null, CompanyDirectory.UserPassword, Timeout));
    }

    [Fact]
    public async Task AuthenticateAsync_PlacementFilter_TellsWhetherTheUserIsPlacedHere()
    {
        var connection = Connection(slapd) with { PlacementFilter = "(l=Seattle)" };

        var carol = await _client.AuthenticateAsync(connection, "carol.jones@company.com", login: null, CompanyDirectory.UserPassword, Timeout);
        var alice = await _client.AuthenticateAsync(connection, "alice@company.com", login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.True(carol!.User.PlacedHere);
        Assert.False(alice!.User.PlacedHere);
    }

    [Fact]
    public async Task AuthenticateAsync_ServerDown_ThrowsUnreachable()
    {
        var connection = Connection(slapd) with { Port = ClosedLoopbackPort() };

        var error = await Assert.ThrowsAsync<MailAdminException>(
            () => _client.AuthenticateAsync(connection, "alice@company.com", login: null, CompanyDirectory.UserPassword, Timeout));

        Assert.Equal("directory-unreachable", error.Code);
    }

    internal static DirectoryConnection Connection(SlapdFixture server) => new(
        server.Host, server.Port, DirectorySecurity.None, server.BindDn, server.BindPassword, server.BaseDn, DirectoryProfileKind.OpenLdap);

    internal static int ClosedLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static DirectoryUser User(DirectorySnapshot snapshot, string dn) => Assert.Single(snapshot.Users, u => u.Dn == dn);

    private static DirectoryGroup Group(DirectorySnapshot snapshot, string dn) => Assert.Single(snapshot.Groups, g => g.Dn == dn);
}

/// <summary>Paged reading against a slapd with 2,000 extra users.</summary>
public sealed class LdapDirectoryClientPagingTests(LdapDirectoryClientPagingTests.BulkDirectory bulk)
    : IClassFixture<LdapDirectoryClientPagingTests.BulkDirectory>, IDisposable
{
    private const int BulkCount = 2_000;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task ReadAllAsync_2000BulkUsers_ReadsEveryUserOverSeveralPages()
    {
        var logger = new FakeLogger<LdapDirectoryClient>();
        var client = new LdapDirectoryClient(TimeProvider.System, logger);

        var snapshot = await client.ReadAllAsync(LdapDirectoryClientTests.Connection(bulk.Server), _timeout.Token);

        Assert.Equal(CompanyDirectory.PeopleCount + BulkCount, snapshot.Users.Count);
        Assert.Equal(BulkCount, snapshot.Users.Count(u => u.Dn.EndsWith(",ou=Bulk,dc=company,dc=com", StringComparison.Ordinal)));
        Assert.Contains(snapshot.Users, u => u.Addresses.SequenceEqual(["bulk02000@company.com"]));

        // 2,010 users at 500 a page are five replies, plus one for the groups.
        var summary = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 3001);
        Assert.Equal("6", summary.GetStructuredStateValue("Pages"));
    }

    [Fact]
    public async Task ReadAllAsync_BindDnLimitedTo500Entries_ThrowsInsteadOfReturningPartOfTheDirectory()
    {
        // slapd limits everyone but its rootdn to 500 entries per search, paged or not.
        var client = new LdapDirectoryClient(TimeProvider.System, NullLogger<LdapDirectoryClient>.Instance);
        var connection = LdapDirectoryClientTests.Connection(bulk.Server) with
        {
            BindDn = "uid=alice,ou=People,dc=company,dc=com",
            BindPassword = CompanyDirectory.UserPassword,
        };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => client.ReadAllAsync(connection, _timeout.Token));

        Assert.Equal("directory-error", error.Code);
        Assert.Contains("size limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllAsync_Cancelled_Throws()
    {
        var client = new LdapDirectoryClient(TimeProvider.System, NullLogger<LdapDirectoryClient>.Instance);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.ReadAllAsync(LdapDirectoryClientTests.Connection(bulk.Server), cancelled.Token));
    }

    /// <summary>The company directory plus <see cref="BulkCount"/> users under ou=Bulk, loaded with slapadd.</summary>
    public sealed class BulkDirectory : IAsyncLifetime
    {
        public SlapdFixture Server { get; } = new(CompanyDirectory.Ldif + CompanyDirectory.BulkUsers(BulkCount));

        public Task InitializeAsync() => Server.InitializeAsync();

        public Task DisposeAsync() => Server.DisposeAsync();
    }
}

/// <summary>
/// LDAPS and StartTLS against a slapd with a certificate from a private CA made in code:
/// certificate checking is on, and trusting a given CA works.
/// </summary>
public sealed class LdapDirectoryClientTlsTests(LdapDirectoryClientTlsTests.TlsDirectory tls)
    : IClassFixture<LdapDirectoryClientTlsTests.TlsDirectory>, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly LdapDirectoryClient _client = new(TimeProvider.System, NullLogger<LdapDirectoryClient>.Instance);

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task Ldaps_TrustedCa_ReadsTheDirectory()
    {
        var snapshot = await _client.ReadAllAsync(Ldaps(tls.CaPem), Timeout);

        Assert.Equal(CompanyDirectory.PeopleCount, snapshot.Users.Count);
    }

    [Fact]
    public async Task Ldaps_TrustedCa_AuthenticatesAUser()
    {
        var login = await _client.AuthenticateAsync(Ldaps(tls.CaPem), "alice@company.com", login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.NotNull(login);
    }

    [Fact]
    public async Task Ldaps_NoTrustedCaGiven_ThrowsTlsFailedBecauseTheSystemDoesNotKnowThePrivateCa()
    {
        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(Ldaps(trustedCaPem: null), Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
        Assert.Contains("CA certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ldaps_AnotherCaTrusted_ThrowsTlsFailed()
    {
        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(Ldaps(tls.OtherCaPem), Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
    }

    [Fact]
    public async Task Ldaps_CertificateForAnotherName_ThrowsTlsFailed()
    {
        var (caPem, certificate) = TestCertificates.Issue("ldap.company.example");
        var server = new SlapdFixture(CompanyDirectory.Ldif, certificate);
        await server.InitializeAsync();
        try
        {
            var connection = LdapDirectoryClientTests.Connection(server) with
            {
                Port = server.LdapsPort,
                Security = DirectorySecurity.Ldaps,
                TrustedCaPem = caPem,
            };

            var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

            Assert.Equal("directory-tls-failed", error.Code);
            Assert.Contains("must name '127.0.0.1'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ldaps_OnThePlainLdapPort_ThrowsTlsFailed()
    {
        var connection = Ldaps(tls.CaPem) with { Port = tls.Server.Port };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
    }

    [Fact]
    public async Task Ldaps_TrustedCaNotPem_ThrowsTlsFailed()
    {
        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(Ldaps("not a certificate"), Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
        Assert.Contains("BEGIN CERTIFICATE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTls_TrustedCa_BindsAndAuthenticates()
    {
        var connection = StartTls(tls.CaPem);

        await _client.TestAsync(connection, Timeout);
        var login = await _client.AuthenticateAsync(connection, "carol.jones@company.com", login: null, CompanyDirectory.UserPassword, Timeout);

        Assert.NotNull(login);
    }

    [Fact]
    public async Task StartTls_AnotherCaTrusted_ThrowsTlsFailed()
    {
        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(StartTls(tls.OtherCaPem), Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
    }

    [Fact]
    public async Task StartTls_NoTrustedCaGiven_ThrowsTlsFailed()
    {
        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(StartTls(trustedCaPem: null), Timeout));

        Assert.Equal("directory-tls-failed", error.Code);
    }

    [Fact]
    public async Task PlainLdap_OnTheLdapsPort_ThrowsUnreachableSuggestingLdaps()
    {
        var connection = LdapDirectoryClientTests.Connection(tls.Server) with { Port = tls.Server.LdapsPort };

        var error = await Assert.ThrowsAsync<MailAdminException>(() => _client.TestAsync(connection, Timeout));

        Assert.Equal("directory-unreachable", error.Code);
        Assert.Contains("LDAPS", error.Message, StringComparison.Ordinal);
    }

    private DirectoryConnection Ldaps(string? trustedCaPem) => LdapDirectoryClientTests.Connection(tls.Server) with
    {
        Port = tls.Server.LdapsPort,
        Security = DirectorySecurity.Ldaps,
        TrustedCaPem = trustedCaPem,
    };

    private DirectoryConnection StartTls(string? trustedCaPem) => LdapDirectoryClientTests.Connection(tls.Server) with
    {
        Security = DirectorySecurity.StartTls,
        TrustedCaPem = trustedCaPem,
    };

    /// <summary>A slapd whose certificate names 127.0.0.1, from a private CA; and an unrelated CA.</summary>
    public sealed class TlsDirectory : IAsyncLifetime
    {
        private readonly (string CaPem, SlapdTls Certificate) _issued = TestCertificates.Issue("127.0.0.1");

        public TlsDirectory()
        {
            Server = new SlapdFixture(CompanyDirectory.Ldif, _issued.Certificate);
        }

        public SlapdFixture Server { get; }

        public string CaPem => _issued.CaPem;

        public string OtherCaPem { get; } = TestCertificates.Issue("127.0.0.1").CaPem;

        public Task InitializeAsync() => Server.InitializeAsync();

        public Task DisposeAsync() => Server.DisposeAsync();
    }

    /// <summary>A fresh P-256 CA and a server certificate it signs, as slapd reads them (PEM, PKCS#8 key).</summary>
    private static class TestCertificates
    {
        public static (string CaPem, SlapdTls Certificate) Issue(string serverName)
        {
            var now = DateTimeOffset.UtcNow;
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=MailAdmin Test Directory CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={serverName}", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            if (IPAddress.TryParse(serverName, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(serverName);
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = RandomNumberGenerator.GetBytes(12);
            serial[0] &= 0x7f;
            using var server = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);

            return (ca.ExportCertificatePem(), new SlapdTls(server.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()));
        }
    }
}
