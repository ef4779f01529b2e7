using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MailAdmin.Core.Configuration;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Web.Hosting;

namespace MailAdmin.Tests.Integration;

public sealed partial class NodeLifecycleTests
{
    [Fact]
    public async Task Restart_WithAnotherInitialPassword_KeepsTheFirstPassword()
    {
        await using var node = await TestNode.StartAsync("restart", "--Admin:InitialPassword=First-Password-1");

        await node.RestartAsync("--Admin:InitialPassword=Second-Password-2");

        using var client = node.CreateClient();
        var second = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = "Second-Password-2" });
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        var first = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = "First-Password-1" });
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Contains(node.Logs.GetSnapshot(), r => r.Message.Contains("Admin:InitialPassword is ignored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstStart_WithoutInitialPassword_LogsARandomPasswordOnceThatSignsIn()
    {
        await using var node = await TestNode.StartAsync("random", "--Admin:InitialPassword=");

        var line = Assert.Single(node.Logs.GetSnapshot(), r => r.Message.Contains("random password", StringComparison.Ordinal));
        var password = RandomPassword().Match(line.Message).Groups[1].Value;
        Assert.True(password.Length >= 20, line.Message);
        using var client = await node.SignedInClientAsync("admin", password);

        await node.RestartAsync();

        Assert.DoesNotContain(node.Logs.GetSnapshot(), r => r.Message.Contains(password, StringComparison.Ordinal));
        using var again = await node.SignedInClientAsync("admin", password);
    }

    [Fact]
    public async Task Restart_KeepsSessionCookiesValid()
    {
        await using var node = await TestNode.StartAsync("cookies");
        var cookies = new CookieContainer();
        using (var client = await node.SignedInClientAsync(cookies: cookies))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/node")).StatusCode);
        }

        await node.RestartAsync();

        using var after = node.CreateClient(cookies);
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("api/v1/node")).StatusCode);
        Assert.True(File.Exists(Path.Combine(node.DataDir, "node.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(node.DataDir, "keys"), "key-*.xml"));
    }

    [Fact]
    public async Task TwoNodes_InOneProcess_KeepTheirOwnDataAndCookies()
    {
        await using var first = await TestNode.StartAsync("alpha");
        await using var second = await TestNode.StartAsync("beta", "--Admin:InitialPassword=Beta-Password-2");

        Assert.NotEqual(first.BaseAddress, second.BaseAddress);
        Assert.NotEqual(first.DataDir, second.DataDir);
        var cookies = new CookieContainer();
        using var a = await first.SignedInClientAsync(cookies: cookies);
        using var b = await second.SignedInClientAsync("admin", "Beta-Password-2");
        Assert.Equal("alpha", (await a.GetFromJsonAsync<NameOnly>("api/v1/node"))!.Name);
        Assert.Equal("beta", (await b.GetFromJsonAsync<NameOnly>("api/v1/node"))!.Name);

        // A cookie of one node opens nothing on another: their keys differ.
        var alphaCookie = cookies.GetCookies(first.BaseAddress)["MailAdmin.alpha"]!;
        var forged = new CookieContainer();
        forged.Add(second.BaseAddress, new Cookie("MailAdmin.beta", alphaCookie.Value));
        using var stranger = second.CreateClient(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("api/v1/node")).StatusCode);
    }

    [Fact]
    public async Task SecondNode_OnADataDirInUse_IsRefusedNamingNodeDataDir()
    {
        await using var node = await TestNode.StartAsync("owner");

        var error = Assert.Throws<InvalidSettingException>(() =>
            NodeHost.Create(["--urls=http://127.0.0.1:0", "--Node:Name=intruder", $"--Node:DataDir={node.DataDir}"]));

        Assert.Equal("Node:DataDir", error.Setting);
        Assert.Contains("in use by another running node", error.Message, StringComparison.Ordinal);
        using var client = await node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/node")).StatusCode);
    }

    [GeneratedRegex(@"random password (\S+)")]
    private static partial Regex RandomPassword();

    private sealed record NameOnly(string Name);
}
