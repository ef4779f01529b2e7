using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>What an administrator does to build a distributed domain, through the API.</summary>
public static class ClusterSteps
{
    public const string Domain = "company.com";

    /// <summary>Nodes that sync only on demand and compare their peers' documents every second.</summary>
    public static readonly string[] NodeArgs = ["--Directory:SyncIntervalMinutes=0", "--Cluster:AntiEntropySeconds=1"];

    public static string MasterHost(TestNode master) => $"127.0.0.1:{master.PeerPort}";

    /// <summary>Creates the domain (unless it exists) and sets its directory service.</summary>
    public static async Task SetDirectoryAsync(HttpClient admin, SlapdFixture slapd, string? placementFilter = null, string? userFilter = null, string? baseDn = null, string domain = Domain)
    {
        var created = await admin.PostAsJsonAsync("api/v1/domains", new { name = domain });
        Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync());
        var response = await admin.PutAsJsonAsync($"api/v1/domains/{domain}/directory", new
        {
            host = slapd.Host,
            port = slapd.Port,
            security = "none",
            bindDn = slapd.BindDn,
            bindPassword = slapd.BindPassword,
            baseDn = baseDn ?? slapd.BaseDn,
            profile = "openldap",
            userFilter,
            placementFilter,
        });
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    public static async Task SyncAsync(HttpClient admin, string domain = Domain)
    {
        var response = await admin.PostAsync($"api/v1/domains/{domain}/directory/sync", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The wizard's two calls: the master's fingerprint, then connect with it.</summary>
    public static Task<HttpResponseMessage> ConnectAsync(
        HttpClient slaveAdmin, TestNode master, string domain = Domain, string username = "admin", string password = TestNode.AdminPassword, string? fingerprint = null) =>
        ConnectAsync(slaveAdmin, MasterHost(master), domain, username, password, fingerprint);

    /// <summary>The wizard's two calls to the master at <paramref name="masterHost"/> (host:port of its peer port).</summary>
    public static async Task<HttpResponseMessage> ConnectAsync(
        HttpClient slaveAdmin, string masterHost, string domain = Domain, string username = "admin", string password = TestNode.AdminPassword, string? fingerprint = null)
    {
        if (fingerprint is null)
        {
            var distributable = await slaveAdmin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost, username, password });
            if (distributable.StatusCode != HttpStatusCode.OK)
            {
                return distributable;
            }

            using var json = JsonDocument.Parse(await distributable.Content.ReadAsStringAsync());
            fingerprint = json.RootElement.GetProperty("fingerprint").GetString();
        }

        return await slaveAdmin.PostAsJsonAsync("api/v1/cluster/connect", new { masterHost, username, password, domain, fingerprint });
    }

    public static Task ConnectOkAsync(HttpClient slaveAdmin, TestNode master, string domain = Domain) => ConnectOkAsync(slaveAdmin, MasterHost(master), domain);

    public static async Task ConnectOkAsync(HttpClient slaveAdmin, string masterHost, string domain = Domain)
    {
        var response = await ConnectAsync(slaveAdmin, masterHost, domain);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task<string> RoleAsync(HttpClient admin)
    {
        using var json = JsonDocument.Parse(await admin.GetStringAsync("api/v1/node"));
        return json.RootElement.GetProperty("role").GetString()!;
    }

    /// <summary>address → home server of every user the node lists.</summary>
    public static async Task<Dictionary<string, string>> HomesAsync(HttpClient admin, bool thisServerOnly = false)
    {
        var page = await admin.GetFromJsonAsync<UserPageDto>($"api/v1/users?domain={Domain}&pageSize=500&thisServerOnly={(thisServerOnly ? "true" : "false")}");
        return page!.Items.ToDictionary(u => u.Address, u => u.HomeServer, StringComparer.Ordinal);
    }

    public static async Task<DomainDto?> DomainAsync(HttpClient admin, string domain = Domain)
    {
        var all = await admin.GetFromJsonAsync<List<DomainDto>>("api/v1/domains");
        return all!.SingleOrDefault(d => d.Name == domain);
    }

    /// <summary>Polls until <paramref name="condition"/> holds; replication takes a second or two.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
