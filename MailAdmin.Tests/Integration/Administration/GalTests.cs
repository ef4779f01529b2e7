using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Tests.Infrastructure;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Administration;

/// <summary>
/// The Global Address List (manual, chapters 1 and 8) on a two-node distributed domain: the same
/// list whichever node is asked; local users on their own server only; hidden users left out.
/// </summary>
public sealed class GalTests(TwoOfficesFixture cluster) : IClassFixture<TwoOfficesFixture>
{
    private const string LocalUser = "reception@company.com";

    [Fact]
    public async Task EveryNode_AnswersTheSameList_WithTheUsersOfEveryServerAndTheirHomeServer()
    {
        var hq = await GalAsync(cluster.HqAdmin, "?domain=company.com&pageSize=500");
        var ny = await GalAsync(cluster.NyAdmin, "?domain=company.com&pageSize=500");

        // Local users (another test of the class adds one on hq) are listed on their own server only.
        Assert.Equal(hq.Where(e => e.Address != LocalUser).Select(Line), ny.Select(Line));
        Assert.Contains(hq, e => e.Address == "bob.smith@company.com" && e.Kind == "user" && e.HomeServer == "ny");
        Assert.Contains(hq, e => e.Address == "alice.novak@company.com" && e.Kind == "user" && e.HomeServer == "hq");
        Assert.Equal(hq.Select(e => e.Name).Order(StringComparer.OrdinalIgnoreCase), hq.Select(e => e.Name));
    }

    [Fact]
    public async Task ALocalUser_IsListedOnItsOwnServerOnly()
    {
        var created = await cluster.HqAdmin.PostAsJsonAsync("api/v1/users", new { address = LocalUser, name = "Reception Desk", password = "Reception-Pass-1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        Assert.Contains(await GalAsync(cluster.HqAdmin, "?domain=company.com&search=reception"), e => e.Address == LocalUser);
        Assert.Empty(await GalAsync(cluster.NyAdmin, "?domain=company.com&search=reception"));
    }

    [Fact]
    public async Task AUserHiddenFromTheAddressList_FromAnotherServersConsole_LeavesTheListOfEveryNode()
    {
        const string Dan = "dan.brown@company.com";
        Assert.Contains(await GalAsync(cluster.NyAdmin, "?domain=company.com&search=dan"), e => e.Address == Dan);

        var hidden = await cluster.HqAdmin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = true });
        Assert.Equal(HttpStatusCode.OK, hidden.StatusCode);

        Assert.DoesNotContain(await GalAsync(cluster.NyAdmin, "?domain=company.com&search=dan"), e => e.Address == Dan);
        Assert.DoesNotContain(await GalAsync(cluster.HqAdmin, "?domain=company.com&search=dan"), e => e.Address == Dan);

        Assert.Equal(HttpStatusCode.OK, (await cluster.HqAdmin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = false })).StatusCode);
        await EventuallyAsync(async () => (await GalAsync(cluster.NyAdmin, "?domain=company.com&search=dan")).Any(e => e.Address == Dan), "Dan is listed again");
    }

    [Theory]
    [InlineData("smith", new[] { "bob.smith@company.com", "john.smith@company.com" })]
    [InlineData("SMITH", new[] { "bob.smith@company.com", "john.smith@company.com" })]
    [InlineData("%", new string[0])]
    [InlineData("_ob", new string[0])]
    [InlineData("' OR 1=1 --", new string[0])]
    public async Task Search_MatchesNamesAndAddressesLiterally(string search, string[] expected)
    {
        var found = await GalAsync(cluster.HqAdmin, $"?domain=company.com&search={Uri.EscapeDataString(search)}");

        Assert.Equal(expected, found.Where(e => e.Kind == "user").Select(e => e.Address).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Paging_TotalCountsEveryEntry_AndPagesDoNotOverlap()
    {
        var all = await GalPageAsync(cluster.HqAdmin, "?domain=company.com&pageSize=500");
        var first = await GalPageAsync(cluster.HqAdmin, "?domain=company.com&page=1&pageSize=3");
        var second = await GalPageAsync(cluster.HqAdmin, "?domain=company.com&page=2&pageSize=3");

        Assert.Equal(all.Total, first.Total);
        Assert.Equal(all.Items.Take(6).Select(e => e.Address), first.Items.Concat(second.Items).Select(e => e.Address));
        Assert.Equal("invalid-paging", (await Problem.ReadAsync(await cluster.HqAdmin.GetAsync("api/v1/gal?domain=company.com&pageSize=5000"), HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task TheVCardExport_HasOneCardPerEntry_AsTextVcard()
    {
        var total = (await GalPageAsync(cluster.NyAdmin, "?domain=company.com&pageSize=1")).Total;

        using var export = await cluster.NyAdmin.GetAsync("api/v1/gal.vcf?domain=company.com");

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/vcard", export.Content.Headers.ContentType?.MediaType);
        var text = await export.Content.ReadAsStringAsync();
        Assert.Equal(total, text.Split("BEGIN:VCARD\r\n").Length - 1);
        Assert.Contains("UID:mailto:bob.smith@company.com\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserOfTheDomain_ReadsTheListWithTheirMailPassword_OverHttpBasic_OnAnyNode()
    {
        using var bob = Basic(cluster.Hq, "bob.smith@company.com", CompanyDirectory.UserPassword);

        var list = await bob.GetFromJsonAsync<GalPageDto>("api/v1/gal?search=alice");

        Assert.Contains(list!.Items, e => e.Address == "alice.novak@company.com" && e.HomeServer == "hq");
        Assert.Equal("forbidden", (await Problem.ReadAsync(await bob.GetAsync("api/v1/gal?domain=other.org"), HttpStatusCode.Forbidden)).Code);

        // A mail password opens what users may read, never the administration API.
        Assert.Equal(HttpStatusCode.Unauthorized, (await bob.GetAsync("api/v1/users")).StatusCode);
    }

    [Fact]
    public async Task AWrongPassword_OrNone_Is401_WithABasicChallenge()
    {
        using var wrong = Basic(cluster.Ny, "bob.smith@company.com", "not-the-password");
        using var anonymous = cluster.Ny.CreateClient();

        foreach (var client in new[] { wrong, anonymous })
        {
            using var response = await client.GetAsync("api/v1/gal");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }
    }

    private static HttpClient Basic(TestNode node, string user, string password)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    private static string Line(GalEntryDto e) => $"{e.Kind} {e.Address} {e.Name} {e.Title} {e.Department} {e.Phone} {e.Office} {e.HomeServer}";

    private static async Task<List<GalEntryDto>> GalAsync(HttpClient admin, string query) => [.. (await GalPageAsync(admin, query)).Items];

    private static async Task<GalPageDto> GalPageAsync(HttpClient admin, string query) =>
        (await admin.GetFromJsonAsync<GalPageDto>("api/v1/gal" + query))!;

    private sealed record GalEntryDto(string Address, string Name, string Kind, string? Title, string? Department, string? Phone, string? Office, string? HomeServer);

    private sealed record GalPageDto(List<GalEntryDto> Items, int Total);
}
