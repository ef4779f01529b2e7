using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.Domains;

public sealed class DomainApiTests : IAsyncLifetime
{
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("domains");
        _admin = await _node.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Create_ThenList_ShowsTheDomainNotDistributedWithoutDirectory()
    {
        var created = await _admin.PostAsJsonAsync("api/v1/domains", new { name = "Company.COM" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/domains/company.com", created.Headers.Location?.OriginalString);
        var domains = await _admin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains");
        var domain = Assert.Single(domains!);
        Assert.Equal(new DomainDto("company.com", "company.com", false, null, 0), domain);
    }

    [Fact]
    public async Task Create_InternationalName_IsStoredInAsciiAndShownInUnicode()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "bücher.example" });

        var domain = await _admin.GetFromJsonAsync<DomainDto>("api/v1/domains/xn--bcher-kva.example");
        var byUnicode = await _admin.GetFromJsonAsync<DomainDto>($"api/v1/domains/{Uri.EscapeDataString("bücher.example")}");

        Assert.Equal("xn--bcher-kva.example", domain!.Name);
        Assert.Equal("bücher.example", domain.DisplayName);
        Assert.Equal(domain, byUnicode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("bad_name.com")]
    [InlineData("-lead.com")]
    [InlineData("a..b.com")]
    [InlineData("company.com; DROP TABLE Domains")]
    [InlineData("<script>.com")]
    public async Task Create_InvalidName_Is400AndCreatesNothing(string name)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/domains", new { name });

        Assert.Equal("invalid-domain-name", (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
        Assert.Empty((await _admin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains"))!);
    }

    [Fact]
    public async Task Create_Twice_Is409DomainExists()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });

        var again = await _admin.PostAsJsonAsync("api/v1/domains", new { name = "COMPANY.com." });

        Assert.Equal("domain-exists", (await Problem.ReadAsync(again, HttpStatusCode.Conflict)).Code);
    }

    [Fact]
    public async Task Rename_MovesEveryUserAtOnce()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "newyork.company.com" });
        await CreateUserAsync("ann@newyork.company.com");
        await CreateUserAsync("bob@newyork.company.com");

        var response = await _admin.PostAsJsonAsync("api/v1/domains/newyork.company.com/rename", new { newName = "company.com" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var users = await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?domain=company.com");
        Assert.Equal(["ann@company.com", "bob@company.com"], users!.Items.Select(u => u.Address));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("api/v1/domains/newyork.company.com")).StatusCode);
        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=domain.rename");
        Assert.Equal("success", Assert.Single(audit!.Items).Result);
    }

    [Fact]
    public async Task Rename_ToAnExistingDomain_Is409AndChangesNothing()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "a.example" });
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "b.example" });

        var response = await _admin.PostAsJsonAsync("api/v1/domains/a.example/rename", new { newName = "b.example" });

        Assert.Equal("domain-exists", (await Problem.ReadAsync(response, HttpStatusCode.Conflict)).Code);
        Assert.Equal(["a.example", "b.example"], (await _admin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains"))!.Select(d => d.Name));
    }

    [Fact]
    public async Task Delete_DomainWithMailboxes_Is409WithTheReason()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
        await CreateUserAsync("ann@company.com");

        var response = await _admin.DeleteAsync("api/v1/domains/company.com");

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("domain-has-mailboxes", problem.Code);
        Assert.Contains("1 mailbox", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/users/ann@company.com")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/domains/company.com")).StatusCode);
        Assert.Empty((await _admin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains"))!);
    }

    [Fact]
    public async Task Delete_UnknownDomain_Is404()
    {
        var response = await _admin.DeleteAsync("api/v1/domains/nowhere.example");

        Assert.Equal("domain-not-found", (await Problem.ReadAsync(response, HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task DomainAdmin_SeesOnlyTheirDomainAndCannotAddOne()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "other.example" });
        await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "ca", password = "Company-Admin-1", role = "domain-admin", domain = "company.com" });
        using var domainAdmin = await _node.SignedInClientAsync("ca", "Company-Admin-1");

        var domains = await domainAdmin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains");

        Assert.Equal(["company.com"], domains!.Select(d => d.Name));
        Assert.Equal(HttpStatusCode.Forbidden, (await domainAdmin.GetAsync("api/v1/domains/other.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await domainAdmin.PostAsJsonAsync("api/v1/domains", new { name = "mine.example" })).StatusCode);
    }

    private async Task CreateUserAsync(string address)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/users", new { address, name = address.Split('@')[0], password = "User-Password-1" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
