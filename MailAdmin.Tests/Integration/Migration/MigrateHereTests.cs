using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Storage;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Migration;

/// <summary>
/// Migrate Here (manual chapter 10) between two real nodes: Bob lives on ny and moves to hq
/// while mail keeps arriving for him and his mail client changes flags and deletes messages.
/// </summary>
public sealed class MigrateHereTests : IAsyncLifetime
{
    private const string Bob = "bob.smith@company.com";
    private const string Dan = "dan.brown@company.com";
    private readonly SlapdFixture _slapd = new();
    private TestNode _hq = default!;
    private TestNode _ny = default!;
    private HttpClient _hqAdmin = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        _hq = await TestNode.StartAsync("hq", [.. NodeArgs, "--Migration:ReserveMegabytes=0"]);
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

    [Fact]
    public async Task ABusyMailbox_MovesWhileMailArrivesAndFlagsChange_EveryMessageLandsOnceOnTheNewHome_AndTheLockOutIsShort()
    {
        var maildir = MaildirOf(_ny, Bob);
        var existing = Seed(maildir, 2000);

        using var sending = new CancellationTokenSource();
        var sent = new List<string>();
        var sender = Task.Run(async () =>
        {
            var i = 0;
            while (!sending.IsCancellationRequested)
            {
                var subject = $"during-move-{i++}";
                await SendAsync(_hq, subject, Bob);
                lock (sent)
                {
                    sent.Add(subject);
                }

                await Task.Delay(30);
            }
        });

        var started = await _hqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Bob } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;

        // Bob's client marks messages read and deletes some while the copy runs.
        var read = existing.Take(300).ToList();
        var deleted = existing.Skip(300).Take(100).ToList();
        await EventuallyAsync(async () => (await JobAsync(id)).GetProperty("state").GetString() is "copying" or "verifying" or "switching" or "releasing" or "cleaning" or "completed", "the copy starts");
        foreach (var name in read)
        {
            var from = Path.Combine(maildir, "new", name);
            if (File.Exists(from))
            {
                File.Move(from, Path.Combine(maildir, "cur", name + ":2,S"));
            }
        }

        foreach (var name in deleted)
        {
            File.Delete(Path.Combine(maildir, "new", name));
        }

        var job = await WaitForEndAsync(id, TimeSpan.FromSeconds(90));
        await sending.CancelAsync();
        await sender;
        Assert.True(job.GetProperty("state").GetString() == "completed", job.ToString());
        Assert.True(sent.Count >= 10, $"only {sent.Count} messages were sent during the move");
        Assert.Equal("Completed successfully", job.GetProperty("result").GetString());
        var lockout = job.GetProperty("lockoutMs").GetInt64();
        Assert.InRange(lockout, 0, 2000);

        // Every node routes Bob to hq; ny's copy is gone.
        using var nyAdmin = await _ny.SignedInClientAsync();
        Assert.Equal("hq", (await HomesAsync(_hqAdmin))[Bob]);
        Assert.Equal("hq", (await HomesAsync(nyAdmin))[Bob]);
        Assert.False(Directory.Exists(maildir), "ny removed its copy once every node knew the new home");

        // Everything on hq exactly once: the seeded messages less the deleted, with their flags, and all mail sent meanwhile.
        var moved = MaildirOf(_hq, Bob);
        await MailTestExtensions.WaitUntilAsync(() => Subjects(moved).Count(s => s.StartsWith("during-move-", StringComparison.Ordinal)) >= sent.Count, "the mail sent during the move is on hq", TimeSpan.FromSeconds(30));
        var subjects = Subjects(moved);
        Assert.Equal(subjects.Count, subjects.Distinct().Count());
        Assert.Equal(sent.Order(), subjects.Where(s => s.StartsWith("during-move-", StringComparison.Ordinal)).Order());
        Assert.Equal(existing.Count - deleted.Count, subjects.Count(s => s.StartsWith("seed-", StringComparison.Ordinal)));
        Assert.All(read, name => Assert.True(File.Exists(Path.Combine(moved, "cur", name + ":2,S")), $"{name} kept its Seen flag"));
        Assert.All(deleted, name => Assert.False(File.Exists(Path.Combine(moved, "new", name)), $"{name}, deleted during the move, stays deleted"));

        // Audited: who started it, and how it ended.
        var audit = await _hqAdmin.GetFromJsonAsync<JsonElement>("api/v1/audit?pageSize=200");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Result: e.GetProperty("result").GetString())).ToList();
        Assert.Contains(("migration.start", "success"), actions);
        Assert.Contains(("migration.finish", "completed"), actions);
    }

    [Fact]
    public async Task MigrateHere_ForAUserAlreadyMoving_IsRefusedAsAlreadyMigrating_AndForAUserAlreadyHere_AsAlreadyHome()
    {
        // The copy is capped (125 KB at 50 KB/s: seconds), so the second request surely meets the first
        // still running: on a quiet machine an uncapped 50-message move ended before it was asked again.
        await _hq.RestartAsync("--Migration:MaxKilobytesPerSecond=50");
        using var admin = await _hq.SignedInClientAsync();
        Seed(MaildirOf(_ny, Dan), 50, bodyBytes: 2500);
        var first = await admin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var second = await admin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("already-migrating", problem.GetProperty("code").GetString());
        Assert.Equal(Dan, problem.GetProperty("refusals")[0].GetProperty("user").GetString());

        var home = await admin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { "alice.novak@company.com" } });
        Assert.Equal(HttpStatusCode.Conflict, home.StatusCode);
        Assert.Equal("already-home", (await home.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task ATargetStoppedInTheMiddleOfSwitching_RollsBackWhenItStarts_AndThenMovesTheMailboxWithNothingLostOrDoubled()
    {
        var maildir = MaildirOf(_ny, Bob);
        var seeded = Seed(maildir, 300);

        // What a crash of hq in the middle of switching leaves: the job says switching, ny holds
        // Bob (its mail waits in ny's queue), hq holds him, and hq's copy is half made.
        const string id = "5a1c0ffee";
        await _hq.StopAsync();
        var options = new DbContextOptionsBuilder<NodeDbContext>().UseSqlite($"Data Source={Path.Combine(_hq.DataDir, "node.db")};Pooling=False").Options;
        await using (var db = new NodeDbContext(options))
        {
            db.MigrationJobs.Add(new MigrationJob
            {
                Id = id,
                Address = Bob,
                DirectoryId = string.Empty,
                Source = "ny",
                Target = "hq",
                StartedBy = "local:admin",
                CreatedAt = DateTimeOffset.UtcNow,
                StartedAt = DateTimeOffset.UtcNow,
                State = MigrationStates.Switching,
                SourceHeld = true,
                ReportTo = "alice.novak@company.com",
            });
            db.MailboxHolds.Add(new MailboxHold { Address = Bob, JobId = id, Target = "hq", Since = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var partial = Path.Combine(_hq.DataDir, "migrations", id, "mail");
        Seed(partial, 0);
        File.Copy(Path.Combine(maildir, "new", seeded[0]), Path.Combine(partial, "new", seeded[0]));
        await _ny.Services.GetRequiredService<MailboxHolds>().HoldAsync(Bob, id, "hq", CancellationToken.None);
        await _ny.EnqueueAsync("partner@example.org", [Bob], subject: "held-while-switching");
        await Task.Delay(300);
        Assert.Equal(300, Directory.GetFiles(Path.Combine(maildir, "new")).Length);

        await _hq.StartAsync();
        using var admin = await _hq.SignedInClientAsync();
        _hqAdmin.Dispose();
        _hqAdmin = admin;
        var job = await WaitForEndAsync(id, TimeSpan.FromSeconds(60));
        Assert.True(job.GetProperty("state").GetString() == "completed", job.ToString());
        Assert.Contains(_hq.Logs.GetSnapshot(), r => r.Message.Contains("stopped while switching; rolled back", StringComparison.Ordinal));

        var moved = MaildirOf(_hq, Bob);
        await MailTestExtensions.WaitUntilAsync(() => Subjects(moved).Contains("held-while-switching"), "the mail ny held reaches hq");
        var subjects = Subjects(moved);
        Assert.Equal(301, subjects.Count);
        Assert.Equal(subjects.Count, subjects.Distinct().Count());
        Assert.Null(_ny.Services.GetRequiredService<MailboxHolds>().HoldOf(Bob));
        Assert.Null(_hq.Services.GetRequiredService<MailboxHolds>().HoldOf(Bob));
        Assert.False(Directory.Exists(Path.Combine(_hq.DataDir, "migrations", id)));

        // The administrator's report (manual §10.2): result, time and size, in their mailbox.
        var reports = await _hq.WaitForInboxAsync("alice.novak@company.com", 1);
        Assert.True(reports.Length == 1, $"no report for the administrator; hq's queue: {await _hqAdmin.GetStringAsync("api/v1/queue")}");
        var report = MimeMessage.Load(reports[0]);
        Assert.Equal("Migration of bob.smith@company.com to hq: Completed successfully", report.Subject);
        Assert.Contains("Result:   Completed successfully", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Time:", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Size:", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATargetStoppedJustAfterTheCommit_ReleasesAndCleansWhenItStarts_AndTheMailTheSourceHeldReachesTheNewHome()
    {
        var maildir = MaildirOf(_ny, Bob);
        Seed(maildir, 100);

        // What a crash of hq right after the commit leaves: Bob's copy in place on hq, hq's row
        // naming hq at epoch 1 and the job releasing, while ny still holds Bob and his new mail.
        const string id = "c0mm17ed";
        await _ny.Services.GetRequiredService<MailboxHolds>().HoldAsync(Bob, id, "hq", CancellationToken.None);
        await _ny.EnqueueAsync("partner@example.org", [Bob], subject: "held-after-commit");
        await _hq.StopAsync();
        CopyDirectory(maildir, MaildirOf(_hq, Bob));
        var options = new DbContextOptionsBuilder<NodeDbContext>().UseSqlite($"Data Source={Path.Combine(_hq.DataDir, "node.db")};Pooling=False").Options;
        await using (var db = new NodeDbContext(options))
        {
            var bob = await db.Users.SingleAsync(u => u.LocalPart == "bob.smith");
            bob.HomeServer = "hq";
            bob.HomeEpoch = 1;
            db.MigrationJobs.Add(new MigrationJob
            {
                Id = id,
                Address = Bob,
                DirectoryId = bob.DirectoryId!,
                Source = "ny",
                Target = "hq",
                StartedBy = "local:admin",
                CreatedAt = DateTimeOffset.UtcNow,
                StartedAt = DateTimeOffset.UtcNow,
                State = MigrationStates.Releasing,
                SourceHeld = true,
                NewEpoch = 1,
            });
            await db.SaveChangesAsync();
        }

        await _hq.StartAsync();
        using var admin = await _hq.SignedInClientAsync();
        _hqAdmin.Dispose();
        _hqAdmin = admin;
        var job = await WaitForEndAsync(id, TimeSpan.FromSeconds(60));
        Assert.True(job.GetProperty("state").GetString() == "completed", job.ToString());

        var moved = MaildirOf(_hq, Bob);
        await MailTestExtensions.WaitUntilAsync(() => Subjects(moved).Contains("held-after-commit"), "the mail ny held reaches hq");
        Assert.Equal(101, Subjects(moved).Distinct().Count());
        Assert.Equal(101, Subjects(moved).Count);
        Assert.False(Directory.Exists(maildir), "ny's copy is removed");
        Assert.Null(_ny.Services.GetRequiredService<MailboxHolds>().HoldOf(Bob));
        using var nyAdmin = await _ny.SignedInClientAsync();
        Assert.Equal("hq", (await HomesAsync(nyAdmin))[Bob]);
    }

    [Fact]
    public async Task AfterTheMove_ADirectorySyncOnEitherNode_LeavesTheUserOnTheNewHome()
    {
        Seed(MaildirOf(_ny, Dan), 10);
        var started = await _hqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;
        Assert.Equal("completed", (await WaitForEndAsync(id, TimeSpan.FromSeconds(60))).GetProperty("state").GetString());

        using var nyAdmin = await _ny.SignedInClientAsync();
        await SyncAsync(nyAdmin);
        await SyncAsync(_hqAdmin);
        await Task.Delay(1500);
        Assert.Equal("hq", (await HomesAsync(_hqAdmin))[Dan]);
        Assert.Equal("hq", (await HomesAsync(nyAdmin))[Dan]);
        Assert.Equal(10, Subjects(MaildirOf(_hq, Dan)).Count);
    }

    [Fact]
    public async Task BadRequests_AreRefusedWithACodeAndStartNothing()
    {
        async Task<(HttpStatusCode Status, string? Code)> PostAsync(object body)
        {
            var response = await _hqAdmin.PostAsJsonAsync("api/v1/migrations", body);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.StatusCode, problem.GetProperty("code").GetString());
        }

        Assert.Equal((HttpStatusCode.BadRequest, "invalid-users"), await PostAsync(new { users = Array.Empty<string>() }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-address"), await PostAsync(new { users = new[] { "bob'; DROP TABLE users;--" } }));
        Assert.Equal((HttpStatusCode.NotFound, "user-not-found"), await PostAsync(new { users = new[] { "nobody@company.com" } }));
        var local = await _hqAdmin.PostAsJsonAsync("api/v1/users", new { address = "guest@company.com", name = "Guest", password = "Guest-Password-123" });
        Assert.Equal(HttpStatusCode.Created, local.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "not-migratable"), await PostAsync(new { users = new[] { "guest@company.com" } }));

        // One bad user among good ones: nothing starts, and each refusal is named.
        var mixed = await _hqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan, "alice.novak@company.com" } });
        Assert.Equal(HttpStatusCode.Conflict, mixed.StatusCode);
        Assert.Empty(await _hqAdmin.GetFromJsonAsync<JsonElement[]>("api/v1/migrations") ?? []);

        using var anonymous = _hq.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } })).StatusCode);
    }

    private async Task<JsonElement> JobAsync(string id)
    {
        var jobs = await _hqAdmin.GetFromJsonAsync<JsonElement>("api/v1/migrations");
        return jobs.EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
    }

    private async Task<JsonElement> WaitForEndAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await JobAsync(id);
            if (job.GetProperty("state").GetString() is "completed" or "canceled" or "failed" || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(to, folder));
        }
    }

    internal static string MaildirOf(TestNode node, string address) => MaildirOf(node.DataDir, address);

    internal static string MaildirOf(string dataDir, string address)
    {
        var at = address.LastIndexOf('@');
        return Path.Combine(dataDir, "mail", address[(at + 1)..], address[..at]);
    }

    /// <summary>Writes <paramref name="count"/> messages into a Maildir's new/ folder, as a delivery would; returns their file names.</summary>
    internal static List<string> Seed(string maildir, int count, int bodyBytes = 2000)
    {
        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        var body = new string('x', bodyBytes);
        var names = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"1700000000.S{i}.seed";
            File.WriteAllText(Path.Combine(maildir, "new", name), $"From: someone@example.org\r\nSubject: seed-{i}\r\nMessage-ID: <seed-{i}@example.org>\r\n\r\n{body}\r\n");
            names.Add(name);
        }

        return names;
    }

    private static List<string> Subjects(string maildir) =>
        [.. new[] { "new", "cur" }.Where(f => Directory.Exists(Path.Combine(maildir, f)))
            .SelectMany(f => Directory.GetFiles(Path.Combine(maildir, f)))
            .Select(file => MimeMessage.Load(file).Subject ?? string.Empty)];

    private static async Task SendAsync(TestNode node, string subject, string to)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", node.Services.GetRequiredService<SmtpEndpoints>().Incoming.Port, SecureSocketOptions.None);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("partner@example.org"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello." };
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
