using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Administration;

/// <summary>One two-node distributed domain for the whole class: Bob, Dan and John live on ny; Alice on hq.</summary>
public sealed class TwoOfficesFixture : IAsyncLifetime
{
    public const string DomainAdminPassword = "Domain-Admin-Pass-1";
    public const string ReaderPassword = "Read-Only-Pass-1";

    private readonly SlapdFixture _slapd = new();

    public TestNode Hq { get; private set; } = default!;

    public TestNode Ny { get; private set; } = default!;

    public HttpClient HqAdmin { get; private set; } = default!;

    public HttpClient NyAdmin { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        Hq = await TestNode.StartAsync("hq", NodeArgs);
        Ny = await TestNode.StartAsync("ny", NodeArgs);
        HqAdmin = await Hq.SignedInClientAsync();
        NyAdmin = await Ny.SignedInClientAsync();
        await SetDirectoryAsync(HqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(HqAdmin);
        await SetDirectoryAsync(NyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(NyAdmin);
        await ConnectOkAsync(NyAdmin, Hq);
        Assert.Equal(HttpStatusCode.Created, (await HqAdmin.PostAsJsonAsync("api/v1/domains", new { name = "other.org" })).StatusCode);

        // hq's administrators: a local domain administrator of company.com, one of other.org, a read-only one,
        // and Alice from the directory as domain administrator of company.com.
        await CreateLocalAdminAsync("sales-admin", DomainAdminPassword, "domain-admin", "company.com");
        await CreateLocalAdminAsync("other-admin", DomainAdminPassword, "domain-admin", "other.org");
        await CreateLocalAdminAsync("reader", ReaderPassword, "server-ro", null);
        var admins = await HqAdmin.GetFromJsonAsync<List<JsonElement>>("api/v1/admins");
        var list = admins!.Select(a => new
        {
            principal = a.GetProperty("principal").GetString(),
            role = a.GetProperty("role").GetString(),
            domain = a.TryGetProperty("domain", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null,
        }).Append(new { principal = (string?)"user:alice.novak@company.com", role = (string?)"domain-admin", domain = (string?)"company.com" }).ToList();
        Assert.Equal(HttpStatusCode.NoContent, (await HqAdmin.PutAsJsonAsync("api/v1/admins", list)).StatusCode);

        // ny knows whom hq's console names once hq's document with its grants has arrived.
        await EventuallyAsync(async () => await Ny.Services.GetRequiredService<PeerAdministrators>().ResolveAsync("hq", "user:alice.novak@company.com", CancellationToken.None) is not null,
            "ny has hq's administrator list");
    }

    public async Task DisposeAsync()
    {
        HqAdmin.Dispose();
        NyAdmin.Dispose();
        await Ny.DisposeAsync();
        await Hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    private async Task CreateLocalAdminAsync(string name, string password, string role, string? domain)
    {
        var created = await HqAdmin.PostAsJsonAsync("api/v1/admins/local", new { name, password, role, domain });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// Manual chapter 9 across servers: an administrator changes a user of another server from
/// their own console; the user's home server carries it out after checking the administrator's
/// rights itself, and both nodes audit it.
/// </summary>
public sealed class AdministrationAcrossServersTests(TwoOfficesFixture cluster) : IClassFixture<TwoOfficesFixture>
{
    private const string Bob = "bob.smith@company.com";
    private const string Dan = "dan.brown@company.com";
    private const string John = "john.smith@company.com";

    [Fact]
    public async Task ADomainAdminOnHq_DisablesAUserHomedOnNy_NyCarriesItOut_AuditsItWithTheAdministrator_AndRefusesTheUsersSignIn()
    {
        using var salesAdmin = await cluster.Hq.SignedInClientAsync("sales-admin", TwoOfficesFixture.DomainAdminPassword);

        var disabled = await salesAdmin.PutAsJsonAsync($"api/v1/users/{Bob}", new { enabled = false });

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False((await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enabled").GetBoolean());
        Assert.False(await EnabledAsync(cluster.NyAdmin, Bob), "ny, Bob's home, has the change at once");
        var homeAudit = await AuditAsync(cluster.NyAdmin, Bob);
        Assert.Contains(homeAudit, e => e.Actor == "local:sales-admin" && e.Client.EndsWith(" via hq", StringComparison.Ordinal) && e.Result == "success");
        Assert.Contains(await AuditAsync(cluster.HqAdmin, Bob), e => e.Actor == "local:sales-admin" && e.Result == "success");

        // Bob cannot sign in to submission, on his home server or elsewhere; an administrator can let him again.
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => SignInAsync(cluster.Ny, "bob"));
        Assert.Contains("disabled", refused.Message, StringComparison.OrdinalIgnoreCase);
        await EventuallyAsync(async () => !await EnabledAsync(cluster.HqAdmin, Bob), "hq's copy follows ny's document");

        var enabled = await salesAdmin.PutAsJsonAsync($"api/v1/users/{Bob}", new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.True(await EnabledAsync(cluster.NyAdmin, Bob));
        await SignInAsync(cluster.Ny, "bob");
    }

    [Fact]
    public async Task ADirectoryAdministratorOnHq_EditsAUserOfTheirDomainOnNy()
    {
        using var alice = await cluster.Hq.SignedInClientAsync("alice.novak@company.com", CompanyDirectory.UserPassword);

        var disabled = await alice.PutAsJsonAsync($"api/v1/users/{Dan}", new { enabled = false });

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False(await EnabledAsync(cluster.NyAdmin, Dan));
        Assert.Contains(await AuditAsync(cluster.NyAdmin, Dan), e => e.Actor == "user:alice.novak@company.com" && e.Result == "success");
        Assert.Equal(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"api/v1/users/{Dan}", new { enabled = true })).StatusCode);
    }

    [Fact]
    public async Task ADomainAdminOfAnotherDomain_OrAReadOnlyAdmin_IsRefused_AndNothingChanges()
    {
        using var otherAdmin = await cluster.Hq.SignedInClientAsync("other-admin", TwoOfficesFixture.DomainAdminPassword);
        using var reader = await cluster.Hq.SignedInClientAsync("reader", TwoOfficesFixture.ReaderPassword);

        Assert.Equal("forbidden", (await Problem.ReadAsync(await otherAdmin.PutAsJsonAsync($"api/v1/users/{John}", new { enabled = false }), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await reader.PutAsJsonAsync($"api/v1/users/{John}", new { enabled = false }), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await otherAdmin.GetAsync($"api/v1/users?domain=company.com"), HttpStatusCode.Forbidden)).Code);

        Assert.True(await EnabledAsync(cluster.NyAdmin, John));
    }

    [Theory]
    [InlineData("local:other-admin", "an administrator of another domain")]
    [InlineData("local:reader", "a read-only administrator")]
    [InlineData("local:nobody", "a name hq never granted")]
    [InlineData("user:carol.jones@company.com", "a directory user without a grant")]
    [InlineData("", "no administrator")]
    public async Task TheHomeServer_ChecksTheNamedAdministratorItself_WhateverTheCallingNodeSends(string principal, string who)
    {
        // A call made straight on the peer channel with hq's certificate, as a faulty or compromised
        // console on hq could make it: ny refuses by its own reckoning of the administrator's rights.
        var peer = cluster.Hq.Services.GetRequiredService<IClusterTopology>().FindPeer("ny")!;
        var client = cluster.Hq.Services.GetRequiredService<IPeerChannels>().Administration(peer.Name, peer.Host, peer.ClusterPort);

        var reply = await client.UpdateUserAsync(new UpdateUserRequest
        {
            Admin = new AdminCall { Principal = principal, ClientAddress = "203.0.113.9" },
            Address = John,
            Enabled = false,
        });

        Assert.True(reply.Refusal is not null, $"ny accepted a change from {who}");
        Assert.Equal("forbidden", reply.Refusal.Code);
        Assert.True(await EnabledAsync(cluster.NyAdmin, John));
        Assert.Contains(await AuditAsync(cluster.NyAdmin, John), e => e.Result == "forbidden" && e.Client == "203.0.113.9 via hq");
    }

    [Fact]
    public async Task TheSourceOfAMigration_RefusesAnAdministratorWithoutTheRightToMigrateTheUser()
    {
        var peer = cluster.Hq.Services.GetRequiredService<IClusterTopology>().FindPeer("ny")!;
        var client = cluster.Hq.Services.GetRequiredService<IPeerChannels>().Migration(peer.Name, peer.Host, peer.ClusterPort);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.HoldAsync(new MailboxRef { Address = John, JobId = "forged", Admin = "local:reader" }));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var inspected = await client.InspectAsync(new MailboxRef { Address = John, JobId = "allowed", Admin = "local:sales-admin" });
        Assert.True(inspected.HostedHere);

        // The refused hold left nothing held: John signs in.
        await SignInAsync(cluster.Ny, "john.smith");
    }

    [Fact]
    public async Task ADomainAdminOnHq_MigratesAUserOfTheirDomainFromNy_AndNyAuditsTheHoldWithTheirName()
    {
        using var salesAdmin = await cluster.Hq.SignedInClientAsync("sales-admin", TwoOfficesFixture.DomainAdminPassword);
        const string Jsmith = John;
        var started = await salesAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Jsmith } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;

        await EventuallyAsync(async () =>
            {
                var jobs = await salesAdmin.GetFromJsonAsync<List<JsonElement>>("api/v1/migrations");
                return jobs!.Single(j => j.GetProperty("id").GetString() == id).GetProperty("state").GetString() == "completed";
            },
            "the migration completes",
            TimeSpan.FromSeconds(90));

        Assert.Equal("hq", (await HomesAsync(cluster.HqAdmin))[Jsmith]);
        Assert.Contains(await AuditAsync(cluster.NyAdmin, Jsmith), e => e.Action == "migration.hold" && e.Actor == "local:sales-admin" && e.Result == "success");

        // Back to ny for the other tests of the class.
        var back = await cluster.NyAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Jsmith } });
        Assert.Equal(HttpStatusCode.Accepted, back.StatusCode);
        await EventuallyAsync(async () => (await HomesAsync(cluster.HqAdmin)).GetValueOrDefault(Jsmith) == "ny" && (await HomesAsync(cluster.NyAdmin)).GetValueOrDefault(Jsmith) == "ny",
            "John is back on ny", TimeSpan.FromSeconds(90));
    }

    private static async Task<bool> EnabledAsync(HttpClient admin, string address) =>
        (await admin.GetFromJsonAsync<JsonElement>($"api/v1/users/{address}")).GetProperty("user").GetProperty("enabled").GetBoolean();

    private static async Task<List<(string Actor, string Client, string Action, string Result)>> AuditAsync(HttpClient admin, string target)
    {
        var page = await admin.GetFromJsonAsync<JsonElement>("api/v1/audit?pageSize=500");
        return [.. page.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("target").GetString()?.Contains(target, StringComparison.Ordinal) == true)
            .Select(e => (e.GetProperty("actor").GetString()!, e.GetProperty("clientAddress").GetString()!, e.GetProperty("action").GetString()!, e.GetProperty("result").GetString()!))];
    }

    private static async Task SignInAsync(TestNode node, string login)
    {
        var endpoints = node.Services.GetRequiredService<SmtpEndpoints>();
        var expected = endpoints.CertificateThumbprint;
        using var client = new SmtpClient
        {
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && CertificateThumbprints.Sha256(certificate) == expected,
            Timeout = 15_000,
        };
        await client.ConnectAsync("127.0.0.1", endpoints.Submission.Port, SecureSocketOptions.StartTls);
        var address = login == "bob" ? Bob : login == "john.smith" ? John : login + "@company.com";
        await client.AuthenticateAsync(address, CompanyDirectory.UserPassword);
        await client.DisconnectAsync(quit: true);
    }
}
