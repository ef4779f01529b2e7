using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.Domains;

public sealed class LocalUserApiTests : IAsyncLifetime
{
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("users");
        _admin = await _node.SignedInClientAsync();
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Create_LocalUser_IsListedAsLocalOnThisServer()
    {
        var response = await _admin.PostAsJsonAsync("api/v1/users", new { address = "Ann@Company.com", name = "Ann Novak", password = "User-Password-1" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var page = await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users");
        var user = Assert.Single(page!.Items);
        Assert.Equal(("ann@company.com", "Ann Novak", "local", "users", true), (user.Address, user.Name, user.Source, user.HomeServer, user.Enabled));
        Assert.Null(user.Migration);
    }

    [Theory]
    [InlineData("ann@company.com", "Ann", "User-Password-1", HttpStatusCode.Conflict, "address-exists")]
    [InlineData("nobody@nowhere.example", "N", "User-Password-1", HttpStatusCode.NotFound, "domain-not-found")]
    [InlineData("not an address", "N", "User-Password-1", HttpStatusCode.BadRequest, "invalid-address")]
    [InlineData("a(b)@company.com", "N", "User-Password-1", HttpStatusCode.BadRequest, "invalid-address")]
    [InlineData("carl@company.com", "Carl", "short", HttpStatusCode.BadRequest, "weak-password")]
    [InlineData("carl@company.com", "", "User-Password-1", HttpStatusCode.BadRequest, "invalid-name")]
    public async Task Create_Refused_SaysWhyAndAddsNothing(string address, string name, string password, HttpStatusCode status, string code)
    {
        await _admin.PostAsJsonAsync("api/v1/users", new { address = "ann@company.com", name = "Ann", password = "User-Password-1" });

        var response = await _admin.PostAsJsonAsync("api/v1/users", new { address, name, password });

        Assert.Equal(code, (await Problem.ReadAsync(response, status)).Code);
        Assert.Equal(1, (await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users"))!.Total);
    }

    [Fact]
    public async Task Search_FindsByNameAndAddress_UnicodeIncluded_AndTakesSpecialCharactersLiterally()
    {
        await CreateAsync("zoe@company.com", "Zoë Dvořák");
        await CreateAsync("john.smith@company.com", "Smith, John (Sales)");
        await CreateAsync("percent@company.com", "100% sure");

        Assert.Equal(["zoe@company.com"], await SearchAsync("DVOŘÁK"));
        Assert.Equal(["zoe@company.com"], await SearchAsync("zoë"));
        Assert.Equal(["john.smith@company.com"], await SearchAsync("(Sales)"));
        Assert.Equal(["john.smith@company.com"], await SearchAsync("john.smith@"));
        Assert.Equal(["percent@company.com"], await SearchAsync("100%"));
        Assert.Empty(await SearchAsync("*"));
        Assert.Empty(await SearchAsync("*)(uid=*"));
        Assert.Empty(await SearchAsync("\\"));
        Assert.Empty(await SearchAsync("_"));
        Assert.Empty(await SearchAsync("' OR 1=1 --"));
    }

    [Fact]
    public async Task List_PagesAndSorts()
    {
        foreach (var name in new[] { "carol", "alice", "bob", "dave", "eve" })
        {
            await CreateAsync($"{name}@company.com", name.ToUpperInvariant());
        }

        var first = await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?page=1&pageSize=2&sortBy=name&descending=true");
        var last = await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?page=3&pageSize=2&sortBy=name&descending=true");

        Assert.Equal(5, first!.Total);
        Assert.Equal(["EVE", "DAVE"], first.Items.Select(u => u.Name));
        Assert.Equal(["ALICE"], last!.Items.Select(u => u.Name));
        Assert.Equal("invalid-sort", (await Problem.ReadAsync(await _admin.GetAsync("api/v1/users?sortBy=password"), HttpStatusCode.BadRequest)).Code);
        Assert.Equal(5, (await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?thisServerOnly=true"))!.Total);
    }

    [Fact]
    public async Task Update_LocalUser_ChangesOnlyWhatIsGiven()
    {
        await CreateAsync("ann@company.com", "Ann");

        var renamed = await _admin.PutAsJsonAsync("api/v1/users/ann@company.com", new { name = "Ann Novak-Smith" });
        var disabled = await _admin.PutAsJsonAsync("api/v1/users/ann@company.com", new { enabled = false });
        var weak = await _admin.PutAsJsonAsync("api/v1/users/ann@company.com", new { password = "short" });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal("weak-password", (await Problem.ReadAsync(weak, HttpStatusCode.BadRequest)).Code);
        var user = Assert.Single((await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?search=novak-smith"))!.Items);
        Assert.Equal(("Ann Novak-Smith", false), (user.Name, user.Enabled));
    }

    [Fact]
    public async Task Delete_LocalUser_RemovesItAndIsAudited()
    {
        await CreateAsync("ann@company.com", "Ann");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/users/ann@company.com")).StatusCode);

        Assert.Equal(0, (await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users"))!.Total);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync("api/v1/users/ann@company.com")).StatusCode);
        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=user.");
        Assert.Equal(["user.delete:user-not-found", "user.delete:success", "user.create-local:success"], audit!.Items.Select(i => $"{i.Action}:{i.Result}"));
    }

    private async Task CreateAsync(string address, string name)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/users", new { address, name, password = "User-Password-1" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<string>> SearchAsync(string term) =>
        [.. (await _admin.GetFromJsonAsync<UserPageDto>($"api/v1/users?search={Uri.EscapeDataString(term)}"))!.Items.Select(u => u.Address)];
}
