using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>
/// Joining, replicating and leaving a distributed domain: real nodes in this process (hq the
/// master, ny and sea the branch offices), one real slapd, real gRPC with mutual TLS.
/// </summary>
public sealed class DistributedDomainTests : IAsyncLifetime
{
    private readonly SlapdFixture _slapd = new();
    private readonly List<TestNode> _nodes = [];
    private readonly List<HttpClient> _clients = [];

    public Task InitializeAsync() => _slapd.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task CleanSlave_Connects_GetsTheDomainWithItsConfiguration_AndKnowsEveryUsersHome()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd);
        await SyncAsync(hqAdmin);
        var (ny, nyAdmin) = await StartAsync("ny");

        var distributable = await nyAdmin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost = MasterHost(hq), username = "admin", password = TestNode.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, distributable.StatusCode);
        using (var json = JsonDocument.Parse(await distributable.Content.ReadAsStringAsync()))
        {
            Assert.Equal([Domain], json.RootElement.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
            Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", json.RootElement.GetProperty("fingerprint").GetString());
        }

        await ConnectOkAsync(nyAdmin, hq);

        Assert.Equal("slave", await RoleAsync(nyAdmin));
        Assert.Equal("master", await RoleAsync(hqAdmin));
        var copy = await DomainAsync(nyAdmin);
        Assert.NotNull(copy);
        Assert.True(copy.Distributed);
        Assert.Equal(_slapd.BaseDn, copy.Directory!.BaseDn);
        Assert.True((await DomainAsync(hqAdmin))!.Distributed);

        // Every user of the master is known on the slave with the master as home, and nothing is homed on the slave.
        await EventuallyAsync(async () => (await HomesAsync(nyAdmin)).Count == CompanyDirectory.PeopleCount, "the slave knows every user");
        var homes = await HomesAsync(nyAdmin);
        Assert.All(homes.Values, home => Assert.Equal("hq", home));
        Assert.Empty(await HomesAsync(nyAdmin, thisServerOnly: true));
        var homeServers = await nyAdmin.GetFromJsonAsync<List<HomeServerDto>>("api/v1/cluster/home-servers");
        Assert.Contains(homeServers!, h => h.Address == "alice.novak@company.com" && h.HomeServer == "hq");

        // Both see both servers, ready.
        await EventuallyAsync(async () => await ServersReadyAsync(hqAdmin, "hq", "ny") && await ServersReadyAsync(nyAdmin, "hq", "ny"), "both servers list each other as ready");
    }

    [Fact]
    public async Task ExistingLocalDomain_Connects_KeepsItsMailboxes_AndTheyBecomePartOfTheDistributedDomain()
    {
        // Manual 5.2: both offices map from the same directory; each places its own users.
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=Seattle))");
        await SyncAsync(hqAdmin);
        var (sea, seaAdmin) = await StartAsync("sea");
        await SetDirectoryAsync(seaAdmin, _slapd, placementFilter: "(l=Seattle)");
        await SyncAsync(seaAdmin);
        var seattle = await HomesAsync(seaAdmin);
        Assert.Contains("carol.jones@company.com", seattle.Keys);

        await ConnectOkAsync(seaAdmin, hq);

        await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault("carol.jones@company.com") == "sea", "the master knows carol lives on sea");
        await EventuallyAsync(async () => (await HomesAsync(seaAdmin)).GetValueOrDefault("alice.novak@company.com") == "hq", "sea knows alice lives on hq");
        Assert.Equal(seattle.Keys.Order(), (await HomesAsync(seaAdmin, thisServerOnly: true)).Keys.Order());
        Assert.All((await HomesAsync(seaAdmin, thisServerOnly: true)).Values, home => Assert.Equal("sea", home));
    }

    [Fact]
    public async Task Refusals_EachSayWhatToDo_AndChangeNothingOnEitherSide()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=Seattle))");
        await SyncAsync(hqAdmin);
        Assert.Equal(HttpStatusCode.Created, (await hqAdmin.PostAsJsonAsync("api/v1/domains", new { name = "nodirectory.com" })).StatusCode);
        var (sea, seaAdmin) = await StartAsync("sea");

        // Itself.
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, sea), "self-connect");

        // Wrong password, unknown user.
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq, password: "Wrong-Password-1"), "invalid-credentials");

        // An administrator of the master without whole server read/write rights.
        Assert.Equal(HttpStatusCode.Created, (await hqAdmin.PostAsJsonAsync("api/v1/admins/local", new { name = "auditor", password = "Auditor-Secret-1", role = "server-ro" })).StatusCode);
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq, username: "auditor", password: "Auditor-Secret-1"), "invalid-credentials");

        // Nobody listening.
        using (var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            closed.Start();
            var port = ((IPEndPoint)closed.LocalEndpoint).Port;
            closed.Stop();
            var unreachable = await seaAdmin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost = $"127.0.0.1:{port}", username = "admin", password = TestNode.AdminPassword });
            await AssertRefusedAsync(unreachable, "inaccessible-host");
        }

        // A fingerprint other than the one the master presents.
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq, fingerprint: string.Join(':', Enumerable.Repeat("AB", 32))), "fingerprint-mismatch");

        // The master's domain has no directory service.
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq, domain: "nodirectory.com"), "directory-missing-remote");

        // This server's domain of that name has no directory service.
        Assert.Equal(HttpStatusCode.Created, (await seaAdmin.PostAsJsonAsync("api/v1/domains", new { name = Domain })).StatusCode);
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq), "directory-missing-local");

        // A different directory: another base DN.
        await SetDirectoryAsync(seaAdmin, _slapd, baseDn: "ou=People,dc=company,dc=com");
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, hq), "directory-different");

        // Mailboxes on both sides: sea maps everyone, the master already has all but Seattle.
        await SetDirectoryAsync(seaAdmin, _slapd);
        await SyncAsync(seaAdmin);
        var conflict = await ConnectAsync(seaAdmin, hq);
        await AssertRefusedAsync(conflict, "data-conflict");
        using (var json = JsonDocument.Parse(await conflict.Content.ReadAsStringAsync()))
        {
            var conflicts = json.RootElement.GetProperty("conflicts").EnumerateArray().ToList();
            Assert.Contains(conflicts, c => c.GetProperty("type").GetString() == "mailbox" && c.GetProperty("name").GetString() == "alice.novak@company.com"
                && c.GetProperty("homeServer").GetString() == "hq");
            Assert.DoesNotContain(conflicts, c => c.GetProperty("name").GetString() == "carol.jones@company.com");
        }

        // Nothing changed on either side.
        Assert.Equal("standalone", await RoleAsync(hqAdmin));
        Assert.Equal("standalone", await RoleAsync(seaAdmin));
        Assert.False((await DomainAsync(hqAdmin))!.Distributed);
        Assert.False((await DomainAsync(seaAdmin))!.Distributed);
        Assert.Single(await ServersAsync(hqAdmin));

        // A slave is not a master.
        var (ny, nyAdmin) = await StartAsync("ny");
        await ConnectOkAsync(nyAdmin, hq);
        await AssertRefusedAsync(await ConnectAsync(seaAdmin, ny), "connect-to-slave");
    }

    [Fact]
    public async Task JoiningServer_OfAnotherProtocolVersion_IsRefused()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd);
        var (sea, _) = await StartAsync("sea");

        var channels = sea.Services.GetRequiredService<MailAdmin.Core.Distribution.Trust.IPeerChannels>();
        using var connection = channels.Bootstrap("127.0.0.1", hq.PeerPort, pinnedFingerprint: null);
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => connection.Client.ListDistributableAsync(new MailAdmin.Core.Distribution.Protocol.DistributableRequest
        {
            Caller = new MailAdmin.Core.Distribution.Protocol.HelloRequest { ProtocolVersion = 99, NodeName = "sea", NodeId = "x" },
            Credentials = new MailAdmin.Core.Distribution.Protocol.Credentials { Username = "admin", Password = TestNode.AdminPassword },
        }).ResponseAsync);

        Assert.Equal("incompatible-version", error.Trailers.GetValue(MailAdmin.Core.Distribution.ClusterProtocol.CodeTrailer));
        Assert.Contains("version", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_SetOnTheMaster_ReachTheSlave_WhichShowsThemReadOnly()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd);
        var (ny, nyAdmin) = await StartAsync("ny");
        await ConnectOkAsync(nyAdmin, hq);

        await SetDirectoryAsync(hqAdmin, _slapd, userFilter: "(objectClass=inetOrgPerson)");
        Assert.Equal(HttpStatusCode.OK, (await hqAdmin.PutAsJsonAsync($"api/v1/domains/{Domain}", new { description = "One company, three offices" })).StatusCode);

        await EventuallyAsync(async () => (await DomainAsync(nyAdmin))!.Directory!.UserFilter == "(objectClass=inetOrgPerson)", "the slave inherits the new user filter");
        await EventuallyAsync(async () => (await DomainAsync(nyAdmin))!.Description == "One company, three offices", "the slave inherits the description");
        await AssertRefusedAsync(await nyAdmin.PutAsJsonAsync($"api/v1/domains/{Domain}", new { description = "Ours" }), "inherited-setting");
        var refused = await nyAdmin.PutAsJsonAsync($"api/v1/domains/{Domain}/directory", new
        {
            host = _slapd.Host,
            port = _slapd.Port,
            security = "none",
            bindDn = _slapd.BindDn,
            bindPassword = _slapd.BindPassword,
            baseDn = _slapd.BaseDn,
            profile = "openldap",
            userFilter = "(uid=*)",
        });
        await AssertRefusedAsync(refused, "inherited-setting");
    }

    [Fact]
    public async Task DirectoryUsers_LiveWhereThePlacementFiltersPutThem_AndUnplacedOnesOnTheMaster()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(hqAdmin);
        var (ny, nyAdmin) = await StartAsync("ny");
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await ConnectOkAsync(nyAdmin, hq);
        await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault("bob.smith@company.com") == "ny", "the master knows bob lives on ny");

        await _slapd.AddLdifAsync("""
            dn: uid=greta,ou=People,dc=company,dc=com
            objectClass: inetOrgPerson
            uid: greta
            cn: Greta Hall
            sn: Hall
            mail: greta.hall@company.com
            l: New York

            dn: uid=hans,ou=People,dc=company,dc=com
            objectClass: inetOrgPerson
            uid: hans
            cn: Hans Weber
            sn: Weber
            mail: hans.weber@company.com
            l: Berlin
            """);
        await SyncAsync(hqAdmin);
        await SyncAsync(nyAdmin);

        await EventuallyAsync(async () =>
        {
            var homes = await HomesAsync(hqAdmin);
            return homes.GetValueOrDefault("greta.hall@company.com") == "ny" && homes.GetValueOrDefault("hans.weber@company.com") == "hq";
        }, "greta lives on ny (its filter) and hans on the master (nobody's filter)");
        await EventuallyAsync(async () => (await HomesAsync(nyAdmin)).GetValueOrDefault("hans.weber@company.com") == "hq", "ny knows hans lives on hq");
    }

    [Fact]
    public async Task LocalUsers_StayInvisibleToOtherServers_AndAliasesAreAdministeredOnTheirHomeServerOnly()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd);
        await SyncAsync(hqAdmin);
        var (ny, nyAdmin) = await StartAsync("ny");
        await ConnectOkAsync(nyAdmin, hq);

        Assert.Equal(HttpStatusCode.Created, (await nyAdmin.PostAsJsonAsync("api/v1/users", new { address = "printer@company.com", name = "Printer", password = "Printer-Secret-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hqAdmin.PostAsJsonAsync($"api/v1/domains/{Domain}/aliases", new { alias = "sales@company.com", target = "alice.novak@company.com" })).StatusCode);

        await EventuallyAsync(async () => (await nyAdmin.GetStringAsync($"api/v1/domains/{Domain}/aliases")).Contains("sales@company.com", StringComparison.Ordinal), "the alias reaches ny");
        await AssertRefusedAsync(await nyAdmin.DeleteAsync($"api/v1/domains/{Domain}/aliases/sales@company.com"), "not-home-server");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("printer@company.com", (await HomesAsync(hqAdmin)).Keys);
        Assert.Equal("ny", (await HomesAsync(nyAdmin))["printer@company.com"]);
    }

    [Fact]
    public async Task ServerThatWasDown_CatchesUpOnReturn_WithoutAnyAdministratorAction()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd);
        await SyncAsync(hqAdmin);
        var (ny, nyAdmin) = await StartAsync("ny");
        await ConnectOkAsync(nyAdmin, hq);
        await EventuallyAsync(async () => (await HomesAsync(nyAdmin)).Count == CompanyDirectory.PeopleCount, "ny knows every user");

        await ny.StopAsync();
        Assert.Equal(HttpStatusCode.Created, (await hqAdmin.PostAsJsonAsync($"api/v1/domains/{Domain}/aliases", new { alias = "info@company.com", target = "eva.green@company.com" })).StatusCode);
        await SetDirectoryAsync(hqAdmin, _slapd, userFilter: "(objectClass=inetOrgPerson)");
        await ny.StartAsync();
        var nyAgain = await ny.SignedInClientAsync();
        _clients.Add(nyAgain);

        await EventuallyAsync(async () => (await nyAgain.GetStringAsync($"api/v1/domains/{Domain}/aliases")).Contains("info@company.com", StringComparison.Ordinal)
            && (await DomainAsync(nyAgain))!.Directory!.UserFilter == "(objectClass=inetOrgPerson)", "ny has caught up with what changed while it was down");
    }

    /// <summary>
    /// A document stored but not applied (the peer's deadline passed during the apply, the
    /// database was busy, the node crashed) must still reach this node's tables: the stored
    /// version is the one this node claims to have, so no peer would send it again.
    /// </summary>
    [Fact]
    public async Task DocumentStoredButNotApplied_IsAppliedByReplicationsNextRound()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(hqAdmin);
        var (ny, nyAdmin) = await StartAsync("ny");
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await ConnectOkAsync(nyAdmin, hq);
        const string bob = "bob.smith@company.com";
        await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault(bob) == "ny", "hq knows Bob lives on ny");

        var replication = hq.Services.GetRequiredService<Core.Distribution.Replication>();
        var nyDocument = (await replication.DocumentsAsync(["ny"], CancellationToken.None)).Single().Clone();
        nyDocument.Version++;
        nyDocument.Domains.Single(d => d.Domain == Domain).Mailboxes.Single(m => m.LocalPart == "bob.smith").Name = "Bob Smith (renamed on ny)";
        Assert.True(await replication.StoreAsync([nyDocument], CancellationToken.None));

        await EventuallyAsync(async () => (await UserNameAsync(hqAdmin, bob)) == "Bob Smith (renamed on ny)", "hq applies the document it stored", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Disconnect_OnlyFromTheSlave_KeepsItsMailboxes_AndTheLastOneToLeaveDissolvesTheDomain()
    {
        var (hq, hqAdmin) = await StartAsync("hq");
        await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=Seattle))");
        await SyncAsync(hqAdmin);
        var (sea, seaAdmin) = await StartAsync("sea");
        await SetDirectoryAsync(seaAdmin, _slapd, placementFilter: "(l=Seattle)");
        await SyncAsync(seaAdmin);
        await ConnectOkAsync(seaAdmin, hq);
        await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault("carol.jones@company.com") == "sea", "the master knows carol");

        await AssertRefusedAsync(await hqAdmin.PostAsync("api/v1/cluster/disconnect", null), "not-a-slave");
        Assert.Equal(HttpStatusCode.NoContent, (await seaAdmin.PostAsync("api/v1/cluster/disconnect", null)).StatusCode);

        // The slave keeps its own mailboxes in a local domain of the same name, and forgets the others'.
        Assert.Equal("standalone", await RoleAsync(seaAdmin));
        Assert.False((await DomainAsync(seaAdmin))!.Distributed);
        var seaHomes = await HomesAsync(seaAdmin);
        Assert.Contains("carol.jones@company.com", seaHomes.Keys);
        Assert.All(seaHomes.Values, home => Assert.Equal("sea", home));

        // The last slave left: the master stands alone again and forgets sea's mailboxes.
        await EventuallyAsync(async () => await RoleAsync(hqAdmin) == "standalone", "the master is standalone again");
        Assert.False((await DomainAsync(hqAdmin))!.Distributed);
        Assert.DoesNotContain("carol.jones@company.com", (await HomesAsync(hqAdmin)).Keys);
        Assert.Single(await ServersAsync(hqAdmin));
        await AssertRefusedAsync(await seaAdmin.PostAsync("api/v1/cluster/disconnect", null), "not-a-slave");
    }

    private async Task<(TestNode Node, HttpClient Admin)> StartAsync(string name)
    {
        var node = await TestNode.StartAsync(name, NodeArgs);
        _nodes.Add(node);
        var admin = await node.SignedInClientAsync();
        _clients.Add(admin);
        return (node, admin);
    }

    private static async Task<string?> UserNameAsync(HttpClient admin, string address) =>
        (await admin.GetFromJsonAsync<JsonElement>($"api/v1/users/{address}")).GetProperty("user").GetProperty("name").GetString();

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()));
    }

    private static async Task<List<JsonElement>> ServersAsync(HttpClient admin)
    {
        var json = JsonDocument.Parse(await admin.GetStringAsync("api/v1/cluster"));
        return [.. json.RootElement.GetProperty("servers").EnumerateArray()];
    }

    private static async Task<bool> ServersReadyAsync(HttpClient admin, params string[] names)
    {
        var servers = await ServersAsync(admin);
        return names.All(n => servers.Any(s => s.GetProperty("name").GetString() == n && s.GetProperty("status").GetString() == "ready"));
    }

    private sealed record HomeServerDto(string Address, string HomeServer, long Epoch);
}
