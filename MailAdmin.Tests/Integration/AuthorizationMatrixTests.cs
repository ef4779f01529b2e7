using System.Net;
using System.Net.Http.Json;
using System.Text;
using MailAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Integration;

/// <summary>
/// Every API endpoint the node maps, called as every role of the manual's chapter 9, against a
/// table that says what each role gets. An endpoint added without a row, or a row whose endpoint
/// is gone, fails the test by name: a new call cannot ship without a decision about who may make it.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Node fixture) : IClassFixture<AuthorizationMatrixTests.Node>
{
    private const string Own = "company.com";
    private const string Other = "other.org";
    private const string ReaderPassword = "Reader-Password-1";
    private const string DomainAdminPassword = "Domain-Password-1";

    // Outcomes: Unauthorized (401), Forbidden (403), Allowed (anything else: past authorization).
    private const Outcome U = Outcome.Unauthorized;
    private const Outcome F = Outcome.Forbidden;
    private const Outcome A = Outcome.Allowed;

    /// <summary>
    /// One row per endpoint. The request is harmless for whoever is allowed: it names something
    /// that does not exist, gives back what is there, or is refused by validation. In the path
    /// and body, <c>{d}</c> is the domain acted on: company.com, the domain administrator's own,
    /// or other.org in the last column; that column is empty where the call names no domain.
    /// <c>{admins}</c> is the current administrator list.
    /// </summary>
    private static readonly Row[] Matrix =
    [
        //   endpoint                                         request path                                   body                                                                     anonymous, server-rw, server-ro, domain-admin, domain-admin on other.org
        new("POST /api/v1/session",                          "api/v1/session",                               $$"""{"username":"reader","password":"{{ReaderPassword}}"}""",          A, A, A, A, null, FreshSession: true),
        new("DELETE /api/v1/session",                        "api/v1/session",                               null,                                                                    A, A, A, A, null, FreshSession: true),
        new("POST /api/v1/account/password",                 "api/v1/account/password",                      """{"currentPassword":"Not-The-Password-1","newPassword":"Another-Password-9"}""", U, A, A, A, null),
        new("GET /api/v1/node",                              "api/v1/node",                                  null,                                                                    U, A, A, A, null),
        new("GET /api/v1/licence",                           "api/v1/licence",                               null,                                                                    U, A, A, F, null),
        new("GET /api/v1/gal",                               "api/v1/gal?domain={d}",                        null,                                                                    U, A, A, A, F),
        new("GET /api/v1/gal.vcf",                           "api/v1/gal.vcf?domain={d}",                    null,                                                                    U, A, A, A, F),
        new("GET /api/v1/resources",                         "api/v1/resources?domain={d}",                  null,                                                                    U, A, A, A, F),
        new("POST /api/v1/resources",                        "api/v1/resources?domain={d}",                  """{"address":"","name":""}""",                                          U, A, F, A, F),
        new("GET /api/v1/resources/{address}",               "api/v1/resources/nores@{d}",                   null,                                                                    U, A, A, A, F),
        new("PATCH /api/v1/resources/{address}",             "api/v1/resources/nores@{d}",                   """{"name":"x"}""",                                                      U, A, F, A, F),
        new("DELETE /api/v1/resources/{address}",            "api/v1/resources/nores@{d}",                   null,                                                                    U, A, F, A, F),
        new("GET /api/v1/resources/{address}/bookings",      "api/v1/resources/nores@{d}/bookings",          null,                                                                    U, A, A, A, F),
        new("POST /api/v1/resources/{address}/bookings/{uid}/cancel",  "api/v1/resources/nores@{d}/bookings/x/cancel",  """{"reason":""}""",                             U, A, F, A, F),
        new("POST /api/v1/resources/{address}/bookings/{uid}/approve", "api/v1/resources/nores@{d}/bookings/x/approve", null,                                          U, A, F, A, F),
        new("POST /api/v1/resources/{address}/bookings/{uid}/decline", "api/v1/resources/nores@{d}/bookings/x/decline", """{"reason":""}""",                             U, A, F, A, F),
        new("GET /api/v1/audit",                             "api/v1/audit",                                 null,                                                                    U, A, A, F, null),
        new("GET /api/v1/admins/",                           "api/v1/admins",                                null,                                                                    U, A, A, F, null),
        new("PUT /api/v1/admins/",                           "api/v1/admins",                                "{admins}",                                                              U, A, F, F, null),
        new("POST /api/v1/admins/local",                     "api/v1/admins/local",                          """{"name":"","password":"","role":"server-ro"}""",                       U, A, F, F, null),
        new("GET /api/v1/domains/",                          "api/v1/domains",                               null,                                                                    U, A, A, A, null),
        new("POST /api/v1/domains/",                         "api/v1/domains",                               """{"name":""}""",                                                       U, A, F, F, null),
        new("GET /api/v1/domains/{name}",                    "api/v1/domains/{d}",                           null,                                                                    U, A, A, A, F),
        new("PUT /api/v1/domains/{name}",                    "api/v1/domains/{d}",                           """{"description":null}""",                                              U, A, F, F, F),
        new("DELETE /api/v1/domains/{name}",                 "api/v1/domains/{d}",                           null,                                                                    U, A, F, F, F),
        new("POST /api/v1/domains/{name}/rename",            "api/v1/domains/{d}/rename",                    """{"newName":"{d}"}""",                                                 U, A, F, F, F),
        new("PUT /api/v1/domains/{name}/directory",          "api/v1/domains/{d}/directory",                 "{}",                                                                    U, A, F, F, F),
        new("POST /api/v1/domains/{name}/directory/sync",    "api/v1/domains/{d}/directory/sync",            null,                                                                    U, A, F, A, F),
        new("GET /api/v1/domains/{name}/aliases",            "api/v1/domains/{d}/aliases",                   null,                                                                    U, A, A, A, F),
        new("POST /api/v1/domains/{name}/aliases",           "api/v1/domains/{d}/aliases",                   """{"alias":"","target":""}""",                                          U, A, F, A, F),
        new("DELETE /api/v1/domains/{name}/aliases/{alias}", "api/v1/domains/{d}/aliases/nobody",            null,                                                                    U, A, F, A, F),
        new("GET /api/v1/domains/{name}/lists",              "api/v1/domains/{d}/lists",                     null,                                                                    U, A, A, A, F),
        new("POST /api/v1/domains/{name}/lists",             "api/v1/domains/{d}/lists",                     """{"address":"","members":[]}""",                                       U, A, F, A, F),
        new("PUT /api/v1/domains/{name}/lists/{address}",    "api/v1/domains/{d}/lists/nolist@{d}",          """{"members":[]}""",                                                    U, A, F, A, F),
        new("DELETE /api/v1/domains/{name}/lists/{address}", "api/v1/domains/{d}/lists/nolist@{d}",          null,                                                                    U, A, F, A, F),
        new("GET /api/v1/users/",                            "api/v1/users?domain={d}",                      null,                                                                    U, A, A, A, F),
        new("POST /api/v1/users/",                           "api/v1/users",                                 """{"address":"new@{d}","name":"","password":""}""",                     U, A, F, A, F),
        new("GET /api/v1/users/{address}",                   "api/v1/users/bob@{d}",                         null,                                                                    U, A, A, A, F),
        new("PUT /api/v1/users/{address}",                   "api/v1/users/bob@{d}",                         "{}",                                                                    U, A, F, A, F),
        new("DELETE /api/v1/users/{address}",                "api/v1/users/nobody@{d}",                      null,                                                                    U, A, F, A, F),
        new("GET /api/v1/groups",                            "api/v1/groups?domain={d}",                     null,                                                                    U, A, A, A, F),
        new("GET /api/v1/queue/",                            "api/v1/queue",                                 null,                                                                    U, A, A, A, null),
        new("POST /api/v1/queue/{id}/retry",                 "api/v1/queue/0123456789abcdef/retry",          null,                                                                    U, A, F, F, null),
        new("POST /api/v1/queue/{id}/hold",                  "api/v1/queue/0123456789abcdef/hold",           null,                                                                    U, A, F, F, null),
        new("POST /api/v1/queue/{id}/release",               "api/v1/queue/0123456789abcdef/release",        null,                                                                    U, A, F, F, null),
        new("DELETE /api/v1/queue/{id}",                     "api/v1/queue/0123456789abcdef",                null,                                                                    U, A, F, F, null),
        new("GET /api/v1/cluster/",                          "api/v1/cluster",                               null,                                                                    U, A, A, A, null),
        new("POST /api/v1/cluster/distributable",            "api/v1/cluster/distributable",                 "{}",                                                                    U, A, F, F, null),
        new("POST /api/v1/cluster/connect",                  "api/v1/cluster/connect",                       "{}",                                                                    U, A, F, F, null),
        new("POST /api/v1/cluster/disconnect",               "api/v1/cluster/disconnect",                    null,                                                                    U, A, F, F, null),
        new("GET /api/v1/cluster/home-servers",              "api/v1/cluster/home-servers",                  null,                                                                    U, A, A, A, null),
        new("POST /api/v1/migrations/",                      "api/v1/migrations",                            """{"users":["bob@{d}"]}""",                                             U, A, F, A, F),
        new("GET /api/v1/migrations/",                       "api/v1/migrations",                            null,                                                                    U, A, A, A, null),
        new("POST /api/v1/migrations/{id}/cancel",           "api/v1/migrations/no-such-migration/cancel",   null,                                                                    U, A, F, A, null),
    ];

    // What a forbidden call must not have changed, read as server-rw before and after.
    private static readonly string[] Snapshots =
    [
        "api/v1/admins", "api/v1/domains", $"api/v1/users?domain={Own}", $"api/v1/users?domain={Other}",
        $"api/v1/domains/{Own}/aliases", $"api/v1/domains/{Other}/lists", "api/v1/queue", "api/v1/migrations",
    ];

    private enum Outcome
    {
        Unauthorized,
        Forbidden,
        Allowed,
    }

    private enum Caller
    {
        Anonymous,
        ServerReadWrite,
        ServerReadOnly,
        DomainAdmin,
        DomainAdminOnOtherDomain,
    }

    [Fact]
    public async Task EveryApiEndpoint_AsEveryRole_AnswersAsTheMatrixSays()
    {
        var mismatches = new List<string>();
        var mapped = MappedEndpoints();
        mismatches.AddRange(mapped.Except(Matrix.Select(r => r.Endpoint)).Select(e => $"{e}: mapped by the node but missing from the matrix; add a row saying who may call it"));
        mismatches.AddRange(Matrix.Select(r => r.Endpoint).Except(mapped).Select(e => $"{e}: in the matrix but no longer mapped; remove its row"));
        mismatches.AddRange(Matrix.GroupBy(r => r.Endpoint).Where(g => g.Count() > 1).Select(g => $"{g.Key}: more than one row"));

        var before = await SnapshotAsync();
        var admins = await fixture.Admin.GetStringAsync("api/v1/admins");
        using var anonymous = fixture.Server.CreateClient();
        using var reader = await fixture.Server.SignedInClientAsync("reader", ReaderPassword);
        using var domainAdmin = await fixture.Server.SignedInClientAsync("sales-admin", DomainAdminPassword);
        var clients = new Dictionary<Caller, HttpClient>
        {
            [Caller.Anonymous] = anonymous,
            [Caller.ServerReadWrite] = fixture.Admin,
            [Caller.ServerReadOnly] = reader,
            [Caller.DomainAdmin] = domainAdmin,
            [Caller.DomainAdminOnOtherDomain] = domainAdmin,
        };

        foreach (var row in Matrix.Where(r => mapped.Contains(r.Endpoint)))
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                if (row.Expected(caller) is not { } expected)
                {
                    continue;
                }

                var domain = caller == Caller.DomainAdminOnOtherDomain ? Other : Own;
                var status = row.FreshSession
                    ? await CallFreshAsync(caller, row, domain, admins)
                    : await CallAsync(clients[caller], row, domain, admins);
                if (OutcomeOf(status) != expected)
                {
                    mismatches.Add($"{row.Endpoint} as {Name(caller)}: expected {Describe(expected)}, got {(int)status}");
                }
            }
        }

        var after = await SnapshotAsync();
        mismatches.AddRange(Snapshots.Where(s => before[s] != after[s]).Select(s => $"GET {s} changed during the calls:\n  before {before[s]}\n  after  {after[s]}"));
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} authorization mismatches:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public async Task DomainAdmin_ListsWithoutADomain_ShowOnlyTheirOwnDomain()
    {
        using var domainAdmin = await fixture.Server.SignedInClientAsync("sales-admin", DomainAdminPassword);

        var domains = await domainAdmin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains");
        Assert.Equal([Own], domains!.Select(d => d.Name));
        var users = await domainAdmin.GetFromJsonAsync<UserPageDto>("api/v1/users");
        Assert.Equal([$"bob@{Own}"], users!.Items.Select(u => u.Address));
        Assert.Equal(1, users.Total);
    }

    private HashSet<string> MappedEndpoints() =>
    [
        .. fixture.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["(any method)"]).Select(m => $"{m} {e.RoutePattern.RawText}")),
    ];

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, Row row, string domain, string admins)
    {
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), row.Path.Replace("{d}", domain, StringComparison.Ordinal));
        if (row.Body is { } body)
        {
            var json = body == "{admins}" ? admins : body.Replace("{d}", domain, StringComparison.Ordinal);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Signing in and out act on the session itself: each such call gets a session of its own.</summary>
    private async Task<HttpStatusCode> CallFreshAsync(Caller caller, Row row, string domain, string admins)
    {
        using var client = caller switch
        {
            Caller.Anonymous => fixture.Server.CreateClient(),
            Caller.ServerReadWrite => await fixture.Server.SignedInClientAsync(),
            Caller.ServerReadOnly => await fixture.Server.SignedInClientAsync("reader", ReaderPassword),
            _ => await fixture.Server.SignedInClientAsync("sales-admin", DomainAdminPassword),
        };
        return await CallAsync(client, row, domain, admins);
    }

    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, string>();
        foreach (var path in Snapshots)
        {
            snapshot[path] = await fixture.Admin.GetStringAsync(path);
        }

        return snapshot;
    }

    private static Outcome OutcomeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => Outcome.Unauthorized,
        HttpStatusCode.Forbidden => Outcome.Forbidden,
        _ => Outcome.Allowed,
    };

    private static string Describe(Outcome outcome) => outcome switch
    {
        Outcome.Unauthorized => "401",
        Outcome.Forbidden => "403",
        _ => "neither 401 nor 403",
    };

    private static string Name(Caller caller) => caller switch
    {
        Caller.Anonymous => "anonymous",
        Caller.ServerReadWrite => "server-rw",
        Caller.ServerReadOnly => "server-ro",
        Caller.DomainAdmin => $"domain-admin of {Own}",
        _ => $"domain-admin of {Own} on {Other}",
    };

    private static async Task CreatedAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private sealed record Row(
        string Endpoint, string Path, string? Body,
        Outcome Anonymous, Outcome ServerReadWrite, Outcome ServerReadOnly, Outcome DomainAdmin, Outcome? OtherDomain,
        bool FreshSession = false)
    {
        public string Method => Endpoint[..Endpoint.IndexOf(' ', StringComparison.Ordinal)];

        public Outcome? Expected(Caller caller) => caller switch
        {
            Caller.Anonymous => Anonymous,
            Caller.ServerReadWrite => ServerReadWrite,
            Caller.ServerReadOnly => ServerReadOnly,
            Caller.DomainAdmin => DomainAdmin,
            _ => OtherDomain,
        };
    }

    /// <summary>The one node of these tests: company.com and other.org with a user each, and an administrator of each role.</summary>
    public sealed class Node : IAsyncLifetime
    {
        public TestNode Server { get; private set; } = default!;

        public HttpClient Admin { get; private set; } = default!;

        public async Task InitializeAsync()
        {
            Server = await TestNode.StartAsync("matrix");
            Admin = await Server.SignedInClientAsync();
            await CreatedAsync(Admin.PostAsJsonAsync("api/v1/admins/local", new { name = "reader", password = ReaderPassword, role = "server-ro" }));
            await CreatedAsync(Admin.PostAsJsonAsync("api/v1/admins/local", new { name = "sales-admin", password = DomainAdminPassword, role = "domain-admin", domain = Own }));
            foreach (var domain in new[] { Own, Other })
            {
                await CreatedAsync(Admin.PostAsJsonAsync("api/v1/domains", new { name = domain }));
                await CreatedAsync(Admin.PostAsJsonAsync("api/v1/users", new { address = $"bob@{domain}", name = "Bob", password = "User-Password-1" }));
            }
        }

        public async Task DisposeAsync()
        {
            Admin.Dispose();
            await Server.DisposeAsync();
        }
    }
}
