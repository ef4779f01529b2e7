using System.Net;
using System.Net.Http.Json;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.DirectoryServices;

/// <summary>Directory settings and sync through the API, against a real private slapd.</summary>
public sealed class DirectorySyncTests : IAsyncLifetime
{
    private readonly SlapdFixture _slapd = new();
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _node = await TestNode.StartAsync("hq", "--Directory:SyncIntervalMinutes=0");
        _admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task SetDirectory_WithAWrongBindPassword_Is400AndSavesNothing()
    {
        var response = await PutDirectoryAsync(bindPassword: "wrong");

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("directory-bad-credentials", problem.Code);
        Assert.DoesNotContain("wrong", problem.Detail, StringComparison.Ordinal);
        Assert.Null((await GetDomainAsync()).Directory);
    }

    [Fact]
    public async Task SetDirectory_OnAClosedPort_Is400Unreachable()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var response = await PutDirectoryAsync(port: port);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("directory-unreachable", problem.Code);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDirectory_WithAMissingBaseDn_Is400BaseDnNotFound()
    {
        var response = await PutDirectoryAsync(baseDn: "ou=Nowhere,dc=company,dc=com");

        Assert.Equal("directory-base-dn-not-found", (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Theory]
    [InlineData("(objectClass=inetOrgPerson", "invalid-directory-filter")]
    [InlineData("(&(uid=a)(", "invalid-directory-filter")]
    public async Task SetDirectory_WithABadFilter_Is400(string filter, string code)
    {
        var response = await PutDirectoryAsync(userFilter: filter);

        Assert.Equal(code, (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task SetDirectory_Saved_IsShownWithoutThePassword()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PutDirectoryAsync()).StatusCode);

        var json = await _admin.GetStringAsync("api/v1/domains/company.com");
        var domain = await GetDomainAsync();

        Assert.Equal(("127.0.0.1", _slapd.Port, "none", "openldap", _slapd.BaseDn), (domain.Directory!.Host, domain.Directory.Port, domain.Directory.Security, domain.Directory.Profile, domain.Directory.BaseDn));
        Assert.DoesNotContain(_slapd.BindPassword, json, StringComparison.Ordinal);
        Assert.DoesNotContain("password", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sync_FirstTime_MapsEveryUserAndGroup()
    {
        await PutDirectoryAsync();

        var sync = await SyncAsync();

        Assert.Equal((CompanyDirectory.PeopleCount, 0, 0, 0, 3), (sync.Added, sync.Updated, sync.Disabled, sync.Removed, sync.GroupsAdded));
        var users = await UsersAsync();
        Assert.Equal(CompanyDirectory.PeopleCount, users.Count);
        Assert.All(users, u => Assert.Equal(("directory", "hq"), (u.Source, u.HomeServer)));
        var alice = users.Single(u => u.Address == "alice.novak@company.com");
        Assert.Equal(["alice@company.com"], alice.Aliases);
        Assert.Equal(["sales", "staff"], alice.Groups);
        Assert.Equal("Zoë Dvořák", users.Single(u => u.Address == "zoe.dvorak@company.com").Name);
        Assert.Equal("Jiří Černý", users.Single(u => u.Address == "jiri@company.com").Name);
        Assert.False(users.Single(u => u.Address == "olga.petrova@company.com").Enabled);
        var smith = await _admin.GetFromJsonAsync<UserDetailDto>("api/v1/users/john.smith@company.com");
        Assert.Equal(GroupMembership.DnKey(CompanyDirectory.SmithDn), GroupMembership.DnKey(smith!.DirectoryDn!));
        Assert.Contains("Smith", smith.DirectoryDn, StringComparison.Ordinal);
        Assert.Equal("Sales Director", smith.Attributes["title"]);
        var staff = (await _admin.GetFromJsonAsync<List<GroupDto>>("api/v1/groups?domain=company.com"))!.Single(g => g.Name == "staff");
        Assert.Equal("staff@company.com", staff.Address);
        Assert.Equal(7, staff.Members.Count);
    }

    [Fact]
    public async Task Sync_ASecondTimeWithoutChanges_ChangesNothing()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        var before = await UsersAsync();

        var second = await SyncAsync();

        Assert.Equal((0, 0, 0, 0, 0, 0, 0), (second.Added, second.Updated, second.Disabled, second.Removed, second.GroupsAdded, second.GroupsUpdated, second.GroupsRemoved));
        Assert.Equal(before, await UsersAsync(), new UserComparer());
    }

    [Fact]
    public async Task Sync_AfterADirectoryChange_ReflectsModifyDisableAndDelete()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        await _slapd.AddLdifAsync("""
            dn: uid=bob,ou=People,dc=company,dc=com
            changetype: modify
            replace: cn
            cn: Robert Smith
            -

            dn: uid=frank,ou=People,dc=company,dc=com
            changetype: modify
            add: objectClass
            objectClass: shadowAccount
            -
            add: shadowExpire
            shadowExpire: 1
            -

            dn: uid=eva,ou=People,dc=company,dc=com
            changetype: delete

            """);

        var sync = await SyncAsync();

        Assert.Equal((0, 1, 1, 1), (sync.Added, sync.Updated, sync.Disabled, sync.Removed));
        var users = await UsersAsync();
        Assert.Equal("Robert Smith", users.Single(u => u.Address == "bob.smith@company.com").Name);
        Assert.False(users.Single(u => u.Address == "frank.wu@company.com").Enabled);
        var eva = users.Single(u => u.Address == "eva.green@company.com");
        Assert.False(eva.Enabled);
        Assert.True(eva.MissingFromDirectory);
        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=directory.sync");
        Assert.Contains("added 0, updated 1, disabled 1, removed 1", audit!.Items[0].Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_WithAPlacementFilter_MapsOnlyTheUsersPlacedHere_AndKeepsThemLater()
    {
        await PutDirectoryAsync(placementFilter: "(l=Seattle)");

        var first = await SyncAsync();

        Assert.Equal(2, first.Added);
        Assert.Equal(["carol.jones@company.com", "frank.wu@company.com"], (await UsersAsync()).Select(u => u.Address));

        await PutDirectoryAsync(placementFilter: "(l=Prague)");
        var second = await SyncAsync();

        Assert.Equal(0, second.Removed);
        Assert.Contains("carol.jones@company.com", (await UsersAsync()).Select(u => u.Address));
        Assert.Contains("alice.novak@company.com", (await UsersAsync()).Select(u => u.Address));
    }

    [Fact]
    public async Task Sync_WhenTheDirectoryIsDown_FailsAndChangesNothing()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        var before = await UsersAsync();
        await _slapd.DisposeAsync();

        var response = await _admin.PostAsync("api/v1/domains/company.com/directory/sync", null);

        Assert.Equal("directory-unreachable", (await Problem.ReadAsync(response, HttpStatusCode.ServiceUnavailable)).Code);
        Assert.Equal(before, await UsersAsync(), new UserComparer());
        Assert.NotEqual("success", (await GetDomainAsync()).Directory!.LastSyncResult);
    }

    [Fact]
    public async Task DirectoryAdministrator_SignsInWithTheirDirectoryPassword()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        var put = await _admin.PutAsJsonAsync("api/v1/admins", new[]
        {
            new AdminDto("local:admin", "server-rw", null),
            new AdminDto("user:alice.novak@company.com", "server-ro", null),
            new AdminDto("group:staff@company.com", "domain-admin", "company.com"),
        });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        using var alice = await _node.SignedInClientAsync("alice@company.com", CompanyDirectory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("api/v1/audit")).StatusCode);

        // Bob holds no grant of his own: the nested group staff makes him a domain administrator.
        using var bob = await _node.SignedInClientAsync("bob.smith@company.com", CompanyDirectory.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("api/v1/users?domain=company.com")).StatusCode);

        using var anonymous = _node.CreateClient();
        foreach (var (username, password) in new[]
        {
            ("alice@company.com", "wrong-password"),
            ("eva.green@company.com", CompanyDirectory.UserPassword),
            ("*@company.com", CompanyDirectory.UserPassword),
        })
        {
            var refused = await anonymous.PostAsJsonAsync("api/v1/session", new { username, password });
            Assert.Equal("invalid-credentials", (await Problem.ReadAsync(refused, HttpStatusCode.Unauthorized)).Code);
        }
    }

    [Fact]
    public async Task DirectoryAdministrator_WithoutAMailAttribute_SignsInWithTheAddressTheNodeGaveThem()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        Assert.Contains("jiri@company.com", (await UsersAsync()).Select(u => u.Address));
        await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:admin", "server-rw", null), new AdminDto("user:jiri@company.com", "server-ro", null) });

        using var jiri = await _node.SignedInClientAsync("jiri@company.com", CompanyDirectory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await jiri.GetAsync("api/v1/audit")).StatusCode);

        using var anonymous = _node.CreateClient();
        var refused = await anonymous.PostAsJsonAsync("api/v1/session", new { username = "jiri@company.com", password = "wrong-password" });
        Assert.Equal("invalid-credentials", (await Problem.ReadAsync(refused, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task DirectoryAdministrator_WhenTheDirectoryIsDown_IsToldSoWhileTheLocalAdminStillSignsIn()
    {
        await PutDirectoryAsync();
        await SyncAsync();
        await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:admin", "server-rw", null), new AdminDto("user:alice.novak@company.com", "server-ro", null) });
        await _slapd.DisposeAsync();

        using var client = _node.CreateClient();
        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "alice@company.com", password = CompanyDirectory.UserPassword });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("directory-unreachable", problem.Code);
        Assert.Contains("The local administrator (admin) still can", problem.Detail, StringComparison.Ordinal);
        using var local = await _node.SignedInClientAsync();
    }

    [Fact]
    public async Task PeriodicSync_MapsUsersWithoutAnyoneAsking()
    {
        await using var node = await TestNode.StartAsync("periodic", "--Directory:SyncIntervalMinutes=0.01");
        using var admin = await node.SignedInClientAsync();
        await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
        var put = await admin.PutAsJsonAsync("api/v1/domains/company.com/directory", new
        {
            host = _slapd.Host,
            port = _slapd.Port,
            security = "none",
            bindDn = _slapd.BindDn,
            bindPassword = _slapd.BindPassword,
            baseDn = _slapd.BaseDn,
            profile = "openldap",
        });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var total = 0;
        while (total < CompanyDirectory.PeopleCount && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            total = (await admin.GetFromJsonAsync<UserPageDto>("api/v1/users"))!.Total;
        }

        Assert.Equal(CompanyDirectory.PeopleCount, total);

        // The sync is audited once its users are written, a moment after they show.
        AuditPageDto? audit = null;
        while (DateTime.UtcNow < deadline && audit?.Items.Count is null or 0)
        {
            audit = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=directory.sync&actor=system");
            if (audit!.Items.Count == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotEmpty(audit!.Items);
    }

    private Task<HttpResponseMessage> PutDirectoryAsync(
        int? port = null, string? bindPassword = null, string? baseDn = null, string? userFilter = null, string? placementFilter = null) =>
        _admin.PutAsJsonAsync("api/v1/domains/company.com/directory", new
        {
            host = _slapd.Host,
            port = port ?? _slapd.Port,
            security = "none",
            bindDn = _slapd.BindDn,
            bindPassword = bindPassword ?? _slapd.BindPassword,
            baseDn = baseDn ?? _slapd.BaseDn,
            profile = "openldap",
            userFilter,
            placementFilter,
        });

    private async Task<SyncDto> SyncAsync()
    {
        var response = await _admin.PostAsync("api/v1/domains/company.com/directory/sync", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SyncDto>())!;
    }

    private async Task<DomainDto> GetDomainAsync() => (await _admin.GetFromJsonAsync<DomainDto>("api/v1/domains/company.com"))!;

    private async Task<List<UserDto>> UsersAsync() =>
        (await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?domain=company.com&pageSize=500"))!.Items;

    private sealed class UserComparer : IEqualityComparer<UserDto>
    {
        public bool Equals(UserDto? x, UserDto? y) => x is not null && y is not null && x.Address == y.Address && x.Name == y.Name && x.Enabled == y.Enabled
            && x.Aliases.SequenceEqual(y.Aliases) && x.Groups.SequenceEqual(y.Groups);

        public int GetHashCode(UserDto obj) => obj.Address.GetHashCode(StringComparison.Ordinal);
    }
}
