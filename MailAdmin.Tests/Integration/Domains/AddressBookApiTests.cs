using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.Domains;

public sealed class AddressBookApiTests : IAsyncLifetime
{
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("aliases");
        _admin = await _node.SignedInClientAsync();
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" });
        await _admin.PostAsJsonAsync("api/v1/users", new { address = "ann@company.com", name = "Ann", password = "User-Password-1" });
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Alias_ToAUser_IsCreatedAndListed()
    {
        var response = await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "ann@company.com" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var aliases = await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.com/aliases");
        Assert.Equal([new AliasDto("sales@company.com", "ann@company.com")], aliases);
    }

    [Theory]
    [InlineData("ann", "someone@example.org", HttpStatusCode.Conflict, "address-exists")]
    [InlineData("x@other.example", "ann@company.com", HttpStatusCode.BadRequest, "wrong-domain")]
    [InlineData("bad address", "ann@company.com", HttpStatusCode.BadRequest, "invalid-address")]
    [InlineData("info", "not-an-address", HttpStatusCode.BadRequest, "invalid-address")]
    [InlineData("info", "info@company.com", HttpStatusCode.BadRequest, "alias-loop")]
    public async Task Alias_Refused_SaysWhy(string alias, string target, HttpStatusCode status, string code)
    {
        var response = await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias, target });

        Assert.Equal(code, (await Problem.ReadAsync(response, status)).Code);
        Assert.Empty((await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.com/aliases"))!);
    }

    [Fact]
    public async Task Alias_ThatWouldCloseALoop_IsRefused()
    {
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "a", target = "b@company.com" });
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "b", target = "c@company.com" });

        var response = await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "c", target = "a@company.com" });

        Assert.Equal("alias-loop", (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task List_WithMembers_IsCreated_AndALoopThroughAnAliasIsRefused()
    {
        var created = await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com", "partner@example.org" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "everyone", target = "team@company.com" });

        var looping = await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "all", members = new[] { "everyone@company.com", "all@company.com" } });

        Assert.Equal("list-loop", (await Problem.ReadAsync(looping, HttpStatusCode.BadRequest)).Code);
        var lists = await _admin.GetFromJsonAsync<List<ListDto>>("api/v1/domains/company.com/lists");
        var list = Assert.Single(lists!);
        Assert.Equal(("team@company.com", 2), (list.Address, list.Members.Count));
    }

    [Fact]
    public async Task Rename_RewritesAliasTargetsAndListMembersInTheDomain()
    {
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "ann@company.com" });
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com", "partner@example.org" } });

        await _admin.PostAsJsonAsync("api/v1/domains/company.com/rename", new { newName = "company.org" });

        Assert.Equal([new AliasDto("sales@company.org", "ann@company.org")], await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.org/aliases"));
        var list = Assert.Single((await _admin.GetFromJsonAsync<List<ListDto>>("api/v1/domains/company.org/lists"))!);
        Assert.Equal(["ann@company.org", "partner@example.org"], list.Members);
    }

    private sealed record AliasDto(string Alias, string Target);

    private sealed record ListDto(string Address, List<string> Members);
}
