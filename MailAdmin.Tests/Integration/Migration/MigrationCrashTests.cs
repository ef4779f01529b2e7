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
/// itself and the user ends with exactly one home, every message on it once, and no copy left on ny.
/// hq copies at 300 KB/s so that the kill lands inside the phase it names.
/// </summary>
/// <remarks>
/// The cases share one cluster (<see cref="MigrationCrashCluster"/>): starting two node processes
/// costs more than the rest of a case on a loaded machine. Each case moves a New York user of its
/// own, so no case sees another's mailbox, whatever order they run in.
/// </remarks>
public sealed class MigrationCrashTests(MigrationCrashCluster cluster) : IClassFixture<MigrationCrashCluster>
{
    private const int Seeded = 800;

    [Theory]
    [InlineData("hq", "copying", "bob.smith@company.com")]
    [InlineData("ny", "copying", "dan.brown@company.com")]
    [InlineData("hq", "verifying", "john.smith@company.com")]
    public async Task ANodeKilledMidMigration_TheJobResumesAfterItsRestart_AndTheUserEndsOnHqWithEveryMessageOnce(string victim, string phase, string user)
    {
        var hq = cluster.Hq;
        var ny = cluster.Ny;
        MigrateHereTests.Seed(MigrateHereTests.MaildirOf(ny.DataDir, user), Seeded, bodyBytes: 2500);
        string id;
        using (var admin = await hq.SignedInClientAsync())
        {
            var started = await admin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { user } });
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

        var node = victim == "hq" ? hq : ny;
        await node.KillAsync();
        await Task.Delay(1000);
        await node.StartAsync();

        using var hqAdmin = await hq.SignedInClientAsync();
        JsonElement end = default;
        await EventuallyAsync(async () =>
        {
            end = await JobAsync(hqAdmin, id);
            return end.GetProperty("state").GetString() is "completed" or "failed" or "canceled";
        }, "the migration ends", TimeSpan.FromSeconds(90));
        Assert.True(end.GetProperty("state").GetString() == "completed", $"{end}{Environment.NewLine}hq said:{Environment.NewLine}{hq.RecentOutput()}{Environment.NewLine}ny said:{Environment.NewLine}{ny.RecentOutput()}");

        using var nyAdmin = await ny.SignedInClientAsync();
        Assert.Equal("hq", (await HomesAsync(hqAdmin))[user]);
        Assert.Equal("hq", (await HomesAsync(nyAdmin))[user]);
        Assert.False(Directory.Exists(MigrateHereTests.MaildirOf(ny.DataDir, user)), "ny's copy is removed");
        var subjects = Directory.GetFiles(Path.Combine(MigrateHereTests.MaildirOf(hq.DataDir, user), "new")).Select(f => MimeMessage.Load(f).Subject).ToList();
        Assert.Equal(Seeded, subjects.Count);
        Assert.Equal(Seeded, subjects.Distinct().Count());
        Assert.False(Directory.Exists(Path.Combine(hq.DataDir, "migrations", id)), "hq's work folder is removed");
    }

    private static async Task<JsonElement> JobAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<JsonElement>("api/v1/migrations")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
}
