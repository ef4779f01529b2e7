using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Integration;

/// <summary>Roles of the manual's chapter 9, as the API enforces them.</summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private const string ReaderPassword = "Reader-Password-1";
    private const string DomainAdminPassword = "Domain-Password-1";
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("roles");
        _admin = await _node.SignedInClientAsync();
        await CreateAsync("reader", ReaderPassword, "server-ro", null);
        await CreateAsync("sales-admin", DomainAdminPassword, "domain-admin", "company.com");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task EveryApiEndpoint_ButSignInAndOut_RequiresAnAuthorizationPolicy()
    {
        var endpoints = _node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true);

        var open = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null || !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null))
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])} {e.RoutePattern.RawText}")
            .Order()
            .ToList();

        Assert.Equal(["DELETE /api/v1/session", "POST /api/v1/session"], open);
    }

    [Fact]
    public async Task ReadOnlyAdmin_ReadsButCannotChangeAdministrators()
    {
        using var reader = await _node.SignedInClientAsync("reader", ReaderPassword);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/node")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/audit")).StatusCode);
        var admins = await reader.GetFromJsonAsync<List<AdminDto>>("api/v1/admins");
        Assert.Contains(new AdminDto("local:reader", "server-ro", null), admins!);

        var put = await reader.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:reader", "server-rw", null) });
        Assert.Equal("forbidden", (await Problem.ReadAsync(put, HttpStatusCode.Forbidden)).Code);
        var create = await reader.PostAsJsonAsync("api/v1/admins/local", new { name = "mallory", password = "Mallory-Pass-1", role = "server-rw" });
        Assert.Equal("forbidden", (await Problem.ReadAsync(create, HttpStatusCode.Forbidden)).Code);
        Assert.DoesNotContain(await _admin.GetFromJsonAsync<List<AdminDto>>("api/v1/admins") ?? [], a => a.Principal == "local:mallory");
    }

    [Fact]
    public async Task DomainAdmin_SeesTheNodeButNotTheAuditLogOrAdministrators()
    {
        using var domainAdmin = await _node.SignedInClientAsync("sales-admin", DomainAdminPassword);

        Assert.Equal(HttpStatusCode.OK, (await domainAdmin.GetAsync("api/v1/node")).StatusCode);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await domainAdmin.GetAsync("api/v1/audit"), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await domainAdmin.GetAsync("api/v1/admins"), HttpStatusCode.Forbidden)).Code);
    }

    [Fact]
    public async Task RevokingAnAdministrator_EndsTheirOpenSession()
    {
        using var reader = await _node.SignedInClientAsync("reader", ReaderPassword);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/node")).StatusCode);

        var put = await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:admin", "server-rw", null) });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("api/v1/node")).StatusCode);
    }

    [Fact]
    public async Task DowngradingARole_TakesEffectOnTheOpenSession()
    {
        using var reader = await _node.SignedInClientAsync("reader", ReaderPassword);
        var put = await _admin.PutAsJsonAsync("api/v1/admins", new[]
        {
            new AdminDto("local:admin", "server-rw", null),
            new AdminDto("local:reader", "domain-admin", "company.com"),
        });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("api/v1/audit")).StatusCode);
    }

    [Fact]
    public async Task ReplacingTheList_WithoutALocalReadWriteAdmin_Is409AndChangesNothing()
    {
        var before = await _admin.GetFromJsonAsync<List<AdminDto>>("api/v1/admins");

        var put = await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("user:boss@company.com", "server-rw", null) });

        Assert.Equal("last-local-admin", (await Problem.ReadAsync(put, HttpStatusCode.Conflict)).Code);
        Assert.Equal(before, await _admin.GetFromJsonAsync<List<AdminDto>>("api/v1/admins"));
    }

    [Theory]
    [InlineData("local:nobody", "server-ro", null, "unknown-local-account")]
    [InlineData("root", "server-ro", null, "invalid-principal")]
    [InlineData("user:not-an-address", "server-ro", null, "invalid-principal")]
    [InlineData("user:ann@company.com", "god", null, "invalid-role")]
    [InlineData("user:ann@company.com", "domain-admin", null, "domain-required")]
    [InlineData("user:ann@company.com", "server-ro", "company.com", "domain-not-allowed")]
    public async Task ReplacingTheList_WithABadEntry_Is400WithItsCode(string principal, string role, string? domain, string code)
    {
        var put = await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:admin", "server-rw", null), new AdminDto(principal, role, domain) });

        Assert.Equal(code, (await Problem.ReadAsync(put, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task ReplacingTheList_IsRecordedInTheAuditLog()
    {
        await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("local:admin", "server-rw", null), new AdminDto("group:it@company.com", "server-ro", null) });
        await _admin.PutAsJsonAsync("api/v1/admins", new[] { new AdminDto("user:x@company.com", "server-rw", null) });

        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=admins.replace");

        Assert.Equal(["last-local-admin", "success"], audit!.Items.Select(i => i.Result));
        Assert.All(audit.Items, i => Assert.Equal("local:admin", i.Actor));
    }

    [Fact]
    public async Task CreatingALocalAdmin_WithAWeakPasswordOrTakenName_IsRefused()
    {
        var weak = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "eve", password = "short", role = "server-ro" });
        Assert.Equal("weak-password", (await Problem.ReadAsync(weak, HttpStatusCode.BadRequest)).Code);

        var taken = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "Reader", password = "Another-Pass-1", role = "server-ro" });
        Assert.Equal("account-exists", (await Problem.ReadAsync(taken, HttpStatusCode.Conflict)).Code);

        var badName = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "<script>", password = "Another-Pass-1", role = "server-ro" });
        Assert.Equal("invalid-name", (await Problem.ReadAsync(badName, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task ChangingOwnPassword_EndsOtherSessionsAndKeepsThisOne()
    {
        using var other = await _node.SignedInClientAsync("reader", ReaderPassword);
        using var self = await _node.SignedInClientAsync("reader", ReaderPassword);

        var wrong = await self.PostAsJsonAsync("api/v1/account/password", new { currentPassword = "nope-nope-nope", newPassword = "Reader-Password-2" });
        Assert.Equal("wrong-current-password", (await Problem.ReadAsync(wrong, HttpStatusCode.BadRequest)).Code);
        var changed = await self.PostAsJsonAsync("api/v1/account/password", new { currentPassword = ReaderPassword, newPassword = "Reader-Password-2" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await self.GetAsync("api/v1/node")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("api/v1/node")).StatusCode);
        using var again = await _node.SignedInClientAsync("reader", "Reader-Password-2");
    }

    private async Task CreateAsync(string name, string password, string role, string? domain)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name, password, role, domain });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
