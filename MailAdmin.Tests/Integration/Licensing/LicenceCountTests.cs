using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;
using static MailAdmin.Tests.Integration.Licensing.LicenceSteps;

namespace MailAdmin.Tests.Integration.Licensing;

/// <summary>
/// What a seat is (manual, chapter 3), on one node whose domain has a directory (a real slapd)
/// and local users: every active mailbox homed here counts, and nothing else does.
/// </summary>
public sealed class LicenceCountTests : IAsyncLifetime
{
    private readonly SlapdFixture _slapd = new();
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _node = await TestNode.StartAsync("hq", NodeArgs);
        _admin = await _node.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Fact]
    public async Task Used_CountsTheActiveLocalAndDirectoryMailboxes_NotAliasesListsOrGroups_AndNotUsersDisabledSince()
    {
        // Without licence.json or Licence:Seats the node is unlimited.
        Assert.Equal(new LicenceDto(null, 0, null, "ok", "unlimited", null), await NodeLicenceAsync(_admin));

        await SetDirectoryAsync(_admin, _slapd);
        await SyncAsync(_admin);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "alice.novak@company.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team", members = new[] { "alice.novak@company.com", "partner@example.org" } })).StatusCode);
        await CreateLocalUserAsync(_admin, "guest@company.com");
        await CreateLocalUserAsync(_admin, "temp@company.com");
        var groups = await _admin.GetFromJsonAsync<List<GroupDto>>("api/v1/groups?domain=company.com");
        Assert.Equal(3, groups!.Count);

        // The directory's people less Olga, whose account has expired, and the two local users.
        var users = await _admin.GetFromJsonAsync<UserPageDto>("api/v1/users?domain=company.com&pageSize=500");
        Assert.Equal(CompanyDirectory.PeopleCount + 2, users!.Total);
        Assert.Equal(["olga.petrova@company.com"], users.Items.Where(u => !u.Enabled).Select(u => u.Address));
        var counted = CompanyDirectory.PeopleCount - 1 + 2;
        Assert.Equal(new LicenceDto(null, counted, null, "ok", "unlimited", null), await NodeLicenceAsync(_admin));

        // Frank's account expires in the directory: after the next sync he no longer counts.
        await _slapd.AddLdifAsync("""
            dn: uid=frank,ou=People,dc=company,dc=com
            changetype: modify
            add: objectClass
            objectClass: shadowAccount
            -
            add: shadowExpire
            shadowExpire: 1
            -

            """);
        await SyncAsync(_admin);
        Assert.Equal(counted - 1, (await NodeLicenceAsync(_admin)).Used);

        // Nor does a local user once disabled, and deleted users are gone from the count.
        await SetEnabledAsync(_admin, "guest@company.com", enabled: false);
        Assert.Equal(counted - 2, (await NodeLicenceAsync(_admin)).Used);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("api/v1/users/temp@company.com")).StatusCode);
        Assert.Equal(counted - 3, (await NodeLicenceAsync(_admin)).Used);
    }
}
