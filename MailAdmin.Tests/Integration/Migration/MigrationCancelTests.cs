using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using Microsoft.Extensions.DependencyInjection;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Migration;

/// <summary>
/// Cancel migration (manual §10.2) and the rollbacks: the target's temporary files go, the
/// source mailbox stays exactly as it was, the user keeps the home they had. hq copies at
/// 400 KB/s (<c>Migration:MaxKilobytesPerSecond</c>), so each phase lasts long enough to act in.
/// </summary>
public sealed class MigrationCancelTests : IAsyncLifetime
{
    private const string Bob = "bob.smith@company.com";
    private readonly SlapdFixture _slapd = new();
    private TestNode _hq = default!;
    private TestNode _ny = default!;
    private HttpClient _hqAdmin = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", [.. NodeArgs, "--Migration:ReserveMegabytes=0", "--Migration:MaxKilobytesPerSecond=400"]);
        _ny = await TestNode.StartAsync("ny", NodeArgs);
        _hqAdmin = await _hq.SignedInClientAsync();
        using var nyAdmin = await _ny.SignedInClientAsync();
        await SetDirectoryAsync(_hqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(_hqAdmin);
        await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(nyAdmin);
        await ConnectOkAsync(nyAdmin, _hq);
        await EventuallyAsync(async () => (await HomesAsync(_hqAdmin)).GetValueOrDefault(Bob) == "ny", "hq knows Bob lives on ny");
    }

    public async Task DisposeAsync()
    {
        _hqAdmin.Dispose();
        await _ny.DisposeAsync();
        await _hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }

    [Theory]
    [InlineData("copying")]
    [InlineData("verifying")]
    public async Task CancelMigration_WhileCopyingOrVerifying_RemovesTheCopy_AndLeavesTheSourceExactlyAsItWas(string phase)
    {
        var maildir = MigrateHereTests.MaildirOf(_ny, Bob);
        MigrateHereTests.Seed(maildir, 600, bodyBytes: 3000);
        var before = Fingerprint(maildir);

        var id = await StartAsync();
        await WaitForStateAsync(id, phase);
        var cancel = await _hqAdmin.PostAsync($"api/v1/migrations/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var job = await WaitForStateAsync(id, "canceled");
        Assert.Equal("Canceled", job.GetProperty("result").GetString());
        Assert.False(Directory.Exists(Path.Combine(_hq.DataDir, "migrations", id)), "hq removed its temporary copy");
        Assert.False(Directory.Exists(MigrateHereTests.MaildirOf(_hq, Bob)), "hq has no mailbox for Bob");
        Assert.Equal(before, Fingerprint(maildir));
        Assert.Equal("ny", (await HomesAsync(_hqAdmin))[Bob]);
        Assert.Null(_ny.Services.GetRequiredService<MailboxHolds>().HoldOf(Bob));

        // A canceled job cannot be canceled again, and Bob can be migrated later.
        var again = await _hqAdmin.PostAsync($"api/v1/migrations/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("migration-finished", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // Mail for Bob still goes to ny.
        await _hq.EnqueueAsync("partner@example.org", [Bob]);
        await MailTestExtensions.WaitUntilAsync(() => Directory.GetFiles(Path.Combine(maildir, "new")).Length == 601, "mail for Bob lands on ny");
    }

    [Fact]
    public async Task ASourceThatNeverAnswers_FailsTheMigrationAfterTheWait_WithNothingMoved()
    {
        await _hq.DisposeAsync();
        _hq = await TestNode.StartAsync("hq2", [.. NodeArgs, "--Migration:SourceWaitSeconds=5"]);
        var maildir = MigrateHereTests.MaildirOf(_ny, Bob);
        MigrateHereTests.Seed(maildir, 20);

        // A job whose source is a node nobody knows: it waits, says why, then fails and rolls back.
        var service = _hq.Services.GetRequiredService<MigrationService>();
        var db = _hq.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<MailAdmin.Core.Storage.NodeDbContext>>();
        await using (var context = await db.CreateDbContextAsync())
        {
            context.MigrationJobs.Add(new MigrationJob { Id = "f00d", Address = Bob, DirectoryId = "x", Source = "gone", Target = "hq2", StartedBy = "local:admin", CreatedAt = DateTimeOffset.UtcNow });
            await context.SaveChangesAsync();
        }

        using var admin = await _hq.SignedInClientAsync();
        JsonElement job = default;
        await EventuallyAsync(async () =>
        {
            job = (await admin.GetFromJsonAsync<JsonElement>("api/v1/migrations")).EnumerateArray().Single();
            return job.GetProperty("state").GetString() == "failed";
        }, "the job gives up", TimeSpan.FromSeconds(30));
        Assert.Contains("gone", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("did not answer", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("Error", job.GetProperty("result").GetString());
        Assert.Empty(service.Active);
    }

    private async Task<string> StartAsync()
    {
        var started = await _hqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Bob } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> WaitForStateAsync(string id, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var job = (await _hqAdmin.GetFromJsonAsync<JsonElement>("api/v1/migrations")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
            var now = job.GetProperty("state").GetString();
            if (now == state)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline && now is not ("completed" or "failed" or "canceled") || now == state, $"the job is {now}, not {state}: {job}");
            await Task.Delay(50);
        }
    }

    /// <summary>Every file of a Maildir with its content hash: equal only if nothing was added, removed, renamed or changed.</summary>
    private static string Fingerprint(string maildir) =>
        string.Join("\n", Directory.GetFiles(maildir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(maildir, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));
}
