using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration;

public sealed class AuditApiTests : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("audit");

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Audit_RecordsEverySignInAttemptNewestFirst()
    {
        using (var anonymous = _node.CreateClient())
        {
            await anonymous.PostAsJsonAsync("api/v1/session", new { username = "admin", password = "wrong-wrong" });
            await anonymous.PostAsJsonAsync("api/v1/session", new { username = "ghost", password = "wrong-wrong" });
        }

        using var admin = await _node.SignedInClientAsync();
        await admin.DeleteAsync("api/v1/session");
        using var again = await _node.SignedInClientAsync();

        var page = await again.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=session.");

        Assert.Equal(
            [
                ("session.login", "local:admin", "success"),
                ("session.logout", "local:admin", "success"),
                ("session.login", "local:admin", "success"),
                ("session.login", "local:ghost", "invalid-credentials"),
                ("session.login", "local:admin", "invalid-credentials"),
            ],
            page!.Items.Select(i => (i.Action, i.Target, i.Result)));
        Assert.All(page.Items, i => Assert.Equal("127.0.0.1", i.ClientAddress));
        Assert.Equal(page.Items.OrderByDescending(i => i.At).Select(i => i.At), page.Items.Select(i => i.At));
        Assert.Equal(5, page.Total);
    }

    [Fact]
    public async Task Audit_FiltersByActorAndPages()
    {
        using var admin = await _node.SignedInClientAsync();
        for (var i = 0; i < 4; i++)
        {
            (await _node.SignedInClientAsync()).Dispose();
        }

        var first = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?actor=admin&action=session.login&page=1&pageSize=2");
        var third = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?actor=admin&action=session.login&page=3&pageSize=2");

        Assert.Equal(5, first!.Total);
        Assert.Equal(2, first.Items.Count);
        Assert.Single(third!.Items);
        var none = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?actor=nobody-at-all");
        Assert.Equal(0, none!.Total);
        Assert.Empty(none.Items);
    }

    [Theory]
    [InlineData("page=0", "invalid-page")]
    [InlineData("pageSize=0", "invalid-page-size")]
    [InlineData("pageSize=100000", "invalid-page-size")]
    [InlineData("page=abc", "invalid-request")]
    public async Task Audit_WithBadPaging_Is400(string query, string code)
    {
        using var admin = await _node.SignedInClientAsync();

        var response = await admin.GetAsync($"api/v1/audit?{query}");

        Assert.Equal(code, (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task Audit_FilterWithSqlAndLikeCharacters_IsTakenLiterally()
    {
        using var admin = await _node.SignedInClientAsync();

        var percent = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=%25");
        var injection = await admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?actor=' OR 1=1 --");

        Assert.Equal(0, percent!.Total);
        Assert.Equal(0, injection!.Total);
    }
}
