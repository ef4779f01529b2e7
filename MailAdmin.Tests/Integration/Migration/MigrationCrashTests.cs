using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Tests.Infrastructure;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Migration;

/// <summary>
/// A migration survives a crash of either node (SIGKILL of a separate OS process) in the middle:
/// hq, the master and the target, or ny, the source. After the restart the job resumes by
/// itself and Bob ends with exactly one home, every message on it once, and no copy left on ny.
/// hq copies at 300 KB/s so that the kill lands inside the phase it names.
/// </summary>
public sealed class MigrationCrashTests : IAsyncLifetime
{
    private const string Bob = "bob.smith@company.com";
    private const int Seeded = 800;
    private readonly SlapdFixture _slapd = new();
    private NodeProcess _hq = default!;
    private NodeProcess _ny = default!;

    public async Task InitializeAsync()
    {
        _ = NodeProcess.WebDll;
        try
        {
            await _slapd.InitializeAsync();
            string[] args = [.. NodeArgs, "--Logging:LogLevel:Default=Warning"];
            _hq = await NodeProcess.StartAsync("hq", [.. args, "--Migration:ReserveMegabytes=0", "--Migration:MaxKilobytesPerSecond=300"]);
            _ny = await NodeProcess.StartAsync("ny", args);
            using var hqAdmin = await _hq.SignedInClientAsync();
            using var nyAdmin = await _ny.SignedInClientAsync();
            await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
            await SyncAsync(hqAdmin);
            await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
            await SyncAsync(nyAdmin);
            await ConnectOkAsync(nyAdmin, _hq.MasterHost);
            try
            {
                // Two processes on two loaded cores: replication's first rounds can take a while.
                await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault(Bob) == "ny", "hq knows Bob lives on ny", TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}{Environment.NewLine}hq said:{Environment.NewLine}{_hq.RecentOutput()}{Environment.NewLine}ny said:{Environment.NewLine}{_ny.RecentOutput()}", e);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_ny is not null)
        {
            await _ny.DisposeAsync();
        }

        if (_hq is not null)
        {
            await _hq.DisposeAsync();
        }

        await _slapd.DisposeAsync();
    }

    [Theory]
    [InlineData("hq", "copying")]
    [InlineData("ny", "copying")]
    [InlineData("hq", "verifying")]
    public async Task ANodeKilledMidMigration_TheJobResumesAfterItsRestart_AndBobEndsOnHqWithEveryMessageOnce(string victim, string phase)
    {
        MigrateHereTests.Seed(MigrateHereTests.MaildirOf(_ny.DataDir, Bob), Seeded, bodyBytes: 2500);
        string id;
        using (var admin = await _hq.SignedInClientAsync())
        {
            var started = await admin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Bob } });
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;
            await EventuallyAsync(async () =>
            {
                var job = await JobAsync(admin, id);
                var state = job.GetProperty("state").GetString();
                Assert.True(state is not ("completed" or "failed" or "canceled"), $"the job ended before the kill: {job}");
                return state == phase && (phase != "copying" || job.GetProperty("bytesCopied").GetInt64() > 200_000);
            }, $"the migration is {phase}", TimeSpan.FromSeconds(60));
        }

        var node = victim == "hq" ? _hq : _ny;
        await node.KillAsync();
        await Task.Delay(1000);
        await node.StartAsync();

        using var hqAdmin = await _hq.SignedInClientAsync();
        JsonElement end = default;
        await EventuallyAsync(async () =>
        {
            end = await JobAsync(hqAdmin, id);
            return end.GetProperty("state").GetString() is "completed" or "failed" or "canceled";
        }, "the migration ends", TimeSpan.FromSeconds(90));
        Assert.True(end.GetProperty("state").GetString() == "completed", $"{end}{Environment.NewLine}hq said:{Environment.NewLine}{_hq.RecentOutput()}{Environment.NewLine}ny said:{Environment.NewLine}{_ny.RecentOutput()}");

        using var nyAdmin = await _ny.SignedInClientAsync();
        Assert.Equal("hq", (await HomesAsync(hqAdmin))[Bob]);
        Assert.Equal("hq", (await HomesAsync(nyAdmin))[Bob]);
        Assert.False(Directory.Exists(MigrateHereTests.MaildirOf(_ny.DataDir, Bob)), "ny's copy is removed");
        var subjects = Directory.GetFiles(Path.Combine(MigrateHereTests.MaildirOf(_hq.DataDir, Bob), "new")).Select(f => MimeMessage.Load(f).Subject).ToList();
        Assert.Equal(Seeded, subjects.Count);
        Assert.Equal(Seeded, subjects.Distinct().Count());
        Assert.False(Directory.Exists(Path.Combine(_hq.DataDir, "migrations", id)), "hq's work folder is removed");
    }

    private static async Task<JsonElement> JobAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<JsonElement>("api/v1/migrations")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
}
