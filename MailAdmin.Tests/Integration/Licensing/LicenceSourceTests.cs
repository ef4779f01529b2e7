using System.Net;
using System.Net.Http.Json;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Licensing;
using MailAdmin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MailAdmin.Tests.Integration.Licensing.LicenceSteps;

namespace MailAdmin.Tests.Integration.Licensing;

/// <summary>Where the seats come from: <c>Licence:Seats</c>, or <c>licence.json</c> in the data directory, which wins.</summary>
public sealed class LicenceSourceTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-licence-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task LicenceFile_WinsOverTheSetting_NamesTheLicensee_AndOnlyServerAdministratorsSeeWhoIsBeyond()
    {
        await using var node = await TestNode.StartAsync("licensed", "--Licence:Seats=5");
        using (var admin = await node.SignedInClientAsync())
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
            await CreateLocalUserAsync(admin, "ann@company.com");
            await CreateLocalUserAsync(admin, "bob@company.com");
            Assert.Equal(new LicenceDto(5, 2, 3, "ok", "setting", null), await NodeLicenceAsync(admin));
            foreach (var (name, role, domain) in new[] { ("reader", "server-ro", (string?)null), ("sales-admin", "domain-admin", "company.com") })
            {
                var created = await admin.PostAsJsonAsync("api/v1/admins/local", new { name, password = "Admin-Password-1", role, domain });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
        }

        // The licence bought for one mailbox is dropped into the data directory; the setting stays.
        await node.StopAsync();
        await File.WriteAllTextAsync(Path.Combine(node.DataDir, "licence.json"), """{"seats": 1, "licensee": "Company Ltd"}""");
        await node.StartAsync();

        using var server = await node.SignedInClientAsync();
        var licence = await LicenceAsync(server);
        Assert.Equal(new LicenceDto(1, 2, 0, "over", "file", "Company Ltd"), licence.Summary);
        Assert.Equal(["bob@company.com"], licence.Beyond);

        using var reader = await node.SignedInClientAsync("reader", "Admin-Password-1");
        Assert.Equal(["bob@company.com"], (await LicenceAsync(reader)).Beyond);

        // A domain administrator sees the summary every page shows, not the server's licence in full.
        using var domainAdmin = await node.SignedInClientAsync("sales-admin", "Admin-Password-1");
        Assert.Equal(licence.Summary, await NodeLicenceAsync(domainAdmin));
        Assert.Equal("forbidden", (await Problem.ReadAsync(await domainAdmin.GetAsync("api/v1/licence"), HttpStatusCode.Forbidden)).Code);

        // Core refuses them the detail itself, whichever page or endpoint asks.
        var licences = node.Services.GetRequiredService<LicenceService>();
        var salesAdmin = new AdminPrincipal(AdminPrincipal.LocalId("sales-admin"), "sales-admin", AdminRole.DomainAdmin, "company.com");
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<MailAdminException>(() => licences.GetDetailAsync(salesAdmin, CancellationToken.None))).Code);
        Assert.Equal(["bob@company.com"], (await licences.GetDetailAsync(salesAdmin with { Role = AdminRole.ServerReadOnly, Domain = null }, CancellationToken.None)).Beyond);
    }

    [Theory]
    [InlineData("""{"seats": 50, "licensee": "Company Ltd" """)]
    [InlineData("""{"seats": "fifty"}""")]
    [InlineData("""{"licensee": "Company Ltd"}""")]
    public async Task Start_WithAMalformedLicenceFile_StopsWithOneLineNamingTheFile(string content)
    {
        Directory.CreateDirectory(_dataDir);
        var file = Path.Combine(_dataDir, "licence.json");
        await File.WriteAllTextAsync(file, content);

        var result = await StartupProcessTests.RunNodeAsync([$"--Node:DataDir={_dataDir}", "--Licence:Seats=50"]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Invalid setting Licence file:", line, StringComparison.Ordinal);
        Assert.Contains($"'{file}'", line, StringComparison.Ordinal);
    }
}
