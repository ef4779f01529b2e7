using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>One node with company.com synced from a private slapd, and other.org with one local user: enough for the address book.</summary>
public sealed class CardDavFixture : IAsyncLifetime
{
    public const string OtherUser = "desk@other.org";
    public const string OtherPassword = "Other-Desk-Pass-1";

    public SlapdFixture Slapd { get; } = new();

    public TestNode Node { get; private set; } = default!;

    public HttpClient Admin { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await Slapd.InitializeAsync();
        Node = await TestNode.StartAsync("hq", NodeArgs);
        Admin = await Node.SignedInClientAsync();
        await SetDirectoryAsync(Admin, Slapd);
        await SyncAsync(Admin);
        Assert.Equal(HttpStatusCode.Created, (await Admin.PostAsJsonAsync("api/v1/domains", new { name = "other.org" })).StatusCode);
        var created = await Admin.PostAsJsonAsync("api/v1/users", new { address = OtherUser, name = "Other Desk", password = OtherPassword });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public DavTestClient User(string address = "bob.smith@company.com", string password = CompanyDirectory.UserPassword) => DavTestClient.Basic(Node, address, password);

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Node.DisposeAsync();
        await Slapd.DisposeAsync();
    }
}
