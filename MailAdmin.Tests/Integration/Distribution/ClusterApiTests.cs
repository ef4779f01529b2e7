using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>The distributed domain's API (API.md, "Distributed domain") on a node that stands alone.</summary>
public sealed class ClusterApiTests : IAsyncLifetime
{
    private const string ReaderPassword = "Reader-Password-1";

    /// <summary>Nothing listens on port 1 of the loopback: a connection is refused at once.</summary>
    private const string UnreachableMaster = "127.0.0.1:1";

    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("branch");
        _admin = await _node.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Get_StandaloneNode_ShowsItselfAsTheOnlyServer()
    {
        var cluster = await _admin.GetFromJsonAsync<ClusterDto>("api/v1/cluster");

        Assert.Equal("standalone", cluster!.Role);
        Assert.Null(cluster.Master);
        var self = Assert.Single(cluster.Servers);
        Assert.Equal(("branch", "127.0.0.1", false, true, "ready"), (self.Name, self.Host, self.IsMaster, self.IsLocal, self.Status));
        Assert.Empty(self.Errors);
    }

    [Fact]
    public async Task Get_WithoutSession_Is401()
    {
        using var anonymous = _node.CreateClient();

        var response = await anonymous.GetAsync("api/v1/cluster");

        Assert.Equal("unauthenticated", (await Problem.ReadAsync(response, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task ReadOnlyAdmin_SeesTheClusterButCannotConnectOrDisconnect()
    {
        var created = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "reader", password = ReaderPassword, role = "server-ro" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var reader = await _node.SignedInClientAsync("reader", ReaderPassword);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/cluster")).StatusCode);
        var distributable = await reader.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost = UnreachableMaster, username = "admin", password = "x" });
        Assert.Equal("forbidden", (await Problem.ReadAsync(distributable, HttpStatusCode.Forbidden)).Code);
        var connect = await reader.PostAsJsonAsync("api/v1/cluster/connect", ConnectBody());
        Assert.Equal("forbidden", (await Problem.ReadAsync(connect, HttpStatusCode.Forbidden)).Code);
        var disconnect = await reader.PostAsync("api/v1/cluster/disconnect", null);
        Assert.Equal("forbidden", (await Problem.ReadAsync(disconnect, HttpStatusCode.Forbidden)).Code);
    }

    [Theory]
    [InlineData(null, "admin", "secret", "invalid-master-host")]
    [InlineData("  ", "admin", "secret", "invalid-master-host")]
    [InlineData("mail.company.com:0", "admin", "secret", "invalid-master-host")]
    [InlineData("mail.company.com:http", "admin", "secret", "invalid-master-host")]
    [InlineData("bad_name.com", "admin", "secret", "invalid-master-host")]
    [InlineData("mail.company.com", null, "secret", "invalid-username")]
    [InlineData("mail.company.com:44337", "admin", "", "invalid-password")]
    public async Task Distributable_WithAMissingOrBadField_Is400WithItsCode(string? masterHost, string? username, string? password, string code)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost, username, password });

        Assert.Equal(code, (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Theory]
    [InlineData("masterHost", "invalid-master-host")]
    [InlineData("username", "invalid-username")]
    [InlineData("password", "invalid-password")]
    [InlineData("domain", "invalid-domain")]
    [InlineData("fingerprint", "invalid-fingerprint")]
    public async Task Connect_WithAFieldMissing_Is400WithItsCodeAndStaysStandalone(string missing, string code)
    {
        var body = ConnectBody();
        body.Remove(missing);

        var response = await _admin.PostAsJsonAsync("api/v1/cluster/connect", body);

        Assert.Equal(code, (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
        Assert.Equal("standalone", (await _admin.GetFromJsonAsync<ClusterDto>("api/v1/cluster"))!.Role);
    }

    [Fact]
    public async Task Distributable_UnreachableMaster_Is503InaccessibleHost()
    {
        var response = await _admin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost = UnreachableMaster, username = "admin", password = "secret" });

        Assert.Equal("inaccessible-host", (await Problem.ReadAsync(response, HttpStatusCode.ServiceUnavailable)).Code);
    }

    [Fact]
    public async Task Connect_UnreachableMaster_Is503InaccessibleHostAndStaysStandalone()
    {
        var response = await _admin.PostAsJsonAsync("api/v1/cluster/connect", ConnectBody());

        Assert.Equal("inaccessible-host", (await Problem.ReadAsync(response, HttpStatusCode.ServiceUnavailable)).Code);
        Assert.Equal("standalone", (await _admin.GetFromJsonAsync<ClusterDto>("api/v1/cluster"))!.Role);
    }

    [Fact]
    public async Task Disconnect_StandaloneNode_Is409NotASlave()
    {
        var response = await _admin.PostAsync("api/v1/cluster/disconnect", null);

        Assert.Equal("not-a-slave", (await Problem.ReadAsync(response, HttpStatusCode.Conflict)).Code);
    }

    private static Dictionary<string, string> ConnectBody() => new()
    {
        ["masterHost"] = UnreachableMaster,
        ["username"] = "admin",
        ["password"] = "secret",
        ["domain"] = "company.com",
        ["fingerprint"] = "AA:BB:CC",
    };
}
