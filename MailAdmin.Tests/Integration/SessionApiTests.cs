using System.Net;
using System.Net.Http.Json;
using System.Text;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration;

public sealed class SessionApiTests : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("session");

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("api/v1/node")]
    [InlineData("api/v1/audit")]
    [InlineData("api/v1/admins")]
    public async Task Get_Anonymous_Is401ProblemNotRedirect(string path)
    {
        using var client = _node.CreateClient();

        var problem = await Problem.ReadAsync(await client.GetAsync(path), HttpStatusCode.Unauthorized);

        Assert.Equal("unauthenticated", problem.Code);
        Assert.Contains("POST /api/v1/session", problem.Detail);
    }

    [Fact]
    public async Task SignIn_WrongPassword_Is401InvalidCredentials()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = "not-the-password" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid-credentials", problem.Code);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task SignIn_UnknownUser_Is401InvalidCredentials()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "nobody", password = TestNode.AdminPassword });

        Assert.Equal("invalid-credentials", (await Problem.ReadAsync(response, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task SignIn_RightPassword_SetsHttpOnlyStrictCookieThatOpensTheApi()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = TestNode.AdminPassword });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("MailAdmin.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var node = await client.GetFromJsonAsync<NodeDto>("api/v1/node");
        Assert.Equal(new NodeDto("session", "127.0.0.1", "standalone"), node! with { Version = null, Licence = null });
        Assert.False(string.IsNullOrEmpty((await client.GetFromJsonAsync<NodeDto>("api/v1/node"))!.Version));
    }

    [Fact]
    public async Task SignIn_UserNameInOtherCase_Works()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = " ADMIN ", password = TestNode.AdminPassword });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = await _node.SignedInClientAsync();

        var response = await client.DeleteAsync("api/v1/session");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/v1/node")).StatusCode);
    }

    [Fact]
    public async Task SignIn_SixthAttemptAfterFiveFailures_Is429LockedOutEvenWithTheRightPassword()
    {
        using var client = _node.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            var failed = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = $"guess-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = TestNode.AdminPassword });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("locked-out", problem.Code);
        Assert.Contains("Try again in 5 minutes", problem.Detail);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.RetryAfter?.Delta);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains(_node.Logs.GetSnapshot(), r => r.Message.Contains("locked out", StringComparison.Ordinal) && r.Message.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(_node.Logs.GetSnapshot(), r => r.Message.Contains("Refused a sign-in from locked-out client 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_MalformedJson_Is400Problem()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsync("api/v1/session", new StringContent("{\"username\": ", Encoding.UTF8, "application/json"));

        Assert.Equal("invalid-request", (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task SignIn_FormBody_Is415Problem()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsync("api/v1/session", new FormUrlEncodedContent([new("username", "admin")]));

        Assert.Equal("unsupported-media-type", (await Problem.ReadAsync(response, HttpStatusCode.UnsupportedMediaType)).Code);
    }

    [Fact]
    public async Task SignIn_OversizedBody_IsRefusedWithoutLockingTheServer()
    {
        using var client = _node.CreateClient();
        var huge = new string('x', 2 << 20);

        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = huge });

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"got {(int)response.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task SignIn_HostileUserNames_AreRefusedAsWrongCredentials()
    {
        using var client = _node.CreateClient();
        // Five names: a sixth failure would lock this client out.
        string[] names = ["admin' OR '1'='1", "*)(uid=*", "ådmïn", "admin\u0000", new string('a', 5000)];
        foreach (var name in names)
        {
            var response = await client.PostAsJsonAsync("api/v1/session", new { username = name, password = TestNode.AdminPassword });
            Assert.Equal("invalid-credentials", (await Problem.ReadAsync(response, HttpStatusCode.Unauthorized)).Code);
        }
    }

    [Fact]
    public async Task UnknownApiCall_Is404Problem()
    {
        using var client = await _node.SignedInClientAsync();

        var problem = await Problem.ReadAsync(await client.GetAsync("api/v1/no-such-thing"), HttpStatusCode.NotFound);

        Assert.Equal("not-found", problem.Code);
    }

    [Fact]
    public async Task Healthz_Anonymous_Is200()
    {
        using var client = _node.CreateClient();

        var response = await client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Anonymous_ListsTheSessionAndNodeCalls()
    {
        using var client = _node.CreateClient();

        var response = await client.GetAsync("openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"openapi\": \"3.", document);
        foreach (var path in new[] { "/api/v1/session", "/api/v1/node", "/api/v1/audit", "/api/v1/admins" })
        {
            Assert.Contains($"\"{path}\"", document);
        }
    }

    [Fact]
    public async Task ConsolePage_Anonymous_RedirectsToLogin()
    {
        using var client = _node.CreateClient();

        var response = await client.GetAsync("audit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private sealed record NodeDto(string Name, string Host, string Role, string? Version = null, object? Licence = null);
}
