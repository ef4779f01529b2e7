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

    [Fact]
    public async Task Alias_Deleted_IsGoneAndTheDeleteIsAudited()
    {
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "ann@company.com" });

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/domains/company.com/aliases/sales@company.com")).StatusCode);

        Assert.Empty((await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.com/aliases"))!);
        var again = await _admin.DeleteAsync("api/v1/domains/company.com/aliases/sales");
        Assert.Equal("alias-not-found", (await Problem.ReadAsync(again, HttpStatusCode.NotFound)).Code);
        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=alias.");
        Assert.Equal(["alias.delete:alias-not-found", "alias.delete:success", "alias.create:success"], audit!.Items.Select(i => $"{i.Action}:{i.Result}"));
    }

    [Fact]
    public async Task List_MembersReplaced_AreListed_AndALoopIsRefusedWithNothingChanged()
    {
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com" } });
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "everyone", target = "team@company.com" });

        var updated = await _admin.PutAsJsonAsync("api/v1/domains/company.com/lists/team@company.com", new { members = new[] { "partner@example.org", "Ann@Company.com" } });
        var looping = await _admin.PutAsJsonAsync("api/v1/domains/company.com/lists/team@company.com", new { members = new[] { "everyone@company.com" } });
        var empty = await _admin.PutAsJsonAsync("api/v1/domains/company.com/lists/team@company.com", new { members = Array.Empty<string>() });
        var missing = await _admin.PutAsJsonAsync("api/v1/domains/company.com/lists/nobody@company.com", new { members = new[] { "ann@company.com" } });

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("list-loop", (await Problem.ReadAsync(looping, HttpStatusCode.BadRequest)).Code);
        Assert.Equal("invalid-members", (await Problem.ReadAsync(empty, HttpStatusCode.BadRequest)).Code);
        Assert.Equal("list-not-found", (await Problem.ReadAsync(missing, HttpStatusCode.NotFound)).Code);
        var list = Assert.Single((await _admin.GetFromJsonAsync<List<ListDto>>("api/v1/domains/company.com/lists"))!);
        Assert.Equal(["partner@example.org", "ann@company.com"], list.Members);
    }

    [Fact]
    public async Task List_Deleted_IsGone_AndItsAddressCanBeUsedAgain()
    {
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com" } });

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/domains/company.com/lists/team")).StatusCode);

        Assert.Empty((await _admin.GetFromJsonAsync<List<ListDto>>("api/v1/domains/company.com/lists"))!);
        var alias = await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "team", target = "ann@company.com" });
        Assert.Equal(HttpStatusCode.Created, alias.StatusCode);
        Assert.Equal("list-not-found", (await Problem.ReadAsync(await _admin.DeleteAsync("api/v1/domains/company.com/lists/team"), HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task ReadOnlyAdmin_SeesAliasesAndLists_ButCannotChangeThem()
    {
        await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "reader", password = "Reader-Password-1", role = "server-ro" });
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "ann@company.com" });
        await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com" } });
        using var reader = await _node.SignedInClientAsync("reader", "Reader-Password-1");

        Assert.Single((await reader.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.com/aliases"))!);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("api/v1/domains/company.com/aliases/sales")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("api/v1/domains/company.com/lists/team", new { members = new[] { "x@example.org" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("api/v1/domains/company.com/lists/team")).StatusCode);
        Assert.Single((await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/company.com/aliases"))!);
        Assert.Equal(["ann@company.com"], Assert.Single((await _admin.GetFromJsonAsync<List<ListDto>>("api/v1/domains/company.com/lists"))!).Members);
    }

    [Fact]
    public async Task DomainAdmin_ChangesOnlyTheirOwnDomain()
    {
        await _admin.PostAsJsonAsync("api/v1/domains", new { name = "other.example" });
        await _admin.PostAsJsonAsync("api/v1/domains/other.example/aliases", new { alias = "info", target = "ann@company.com" });
        await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "company-admin", password = "Domain-Password-1", role = "domain-admin", domain = "company.com" });
        using var domainAdmin = await _node.SignedInClientAsync("company-admin", "Domain-Password-1");

        var own = await domainAdmin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "ann@company.com" } });
        var foreign = await domainAdmin.DeleteAsync("api/v1/domains/other.example/aliases/info");

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal("forbidden", (await Problem.ReadAsync(foreign, HttpStatusCode.Forbidden)).Code);
        Assert.Single((await _admin.GetFromJsonAsync<List<AliasDto>>("api/v1/domains/other.example/aliases"))!);
    }

    private sealed record AliasDto(string Alias, string Target);

    private sealed record ListDto(string Address, List<string> Members);
}
