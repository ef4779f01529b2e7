using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Integration.Migration;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;
using static MailAdmin.Tests.Integration.Licensing.LicenceSteps;

namespace MailAdmin.Tests.Integration.Licensing;

/// <summary>
/// Two nodes of one distributed domain, as in <see cref="MigrateHereTests"/>: the New York people
/// live on ny, everyone else on hq. hq is licensed for seven mailboxes: its six active directory
/// users and one local user take them all.
/// </summary>
public sealed class LicensedClusterFixture : IAsyncLifetime
{
    public const int HqSeats = 7;
    public const string Reserve = "reserve@company.com";
    private readonly SlapdFixture _slapd = new();

    public TestNode Hq { get; private set; } = default!;

    public TestNode Ny { get; private set; } = default!;

    public HttpClient HqAdmin { get; private set; } = default!;

    public HttpClient NyAdmin { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await _slapd.InitializeAsync();
        Hq = await TestNode.StartAsync("hq", [.. NodeArgs, "--Migration:ReserveMegabytes=0", $"--Licence:Seats={HqSeats}"]);
        Ny = await TestNode.StartAsync("ny", NodeArgs);
        HqAdmin = await Hq.SignedInClientAsync();
        NyAdmin = await Ny.SignedInClientAsync();
        await SetDirectoryAsync(HqAdmin, _slapd, placementFilter: "(!(l=New York))");
        await SyncAsync(HqAdmin);
        await SetDirectoryAsync(NyAdmin, _slapd, placementFilter: "(l=New York)");
        await SyncAsync(NyAdmin);
        await ConnectOkAsync(NyAdmin, Hq);
        await CreateLocalUserAsync(HqAdmin, Reserve);
        await EventuallyAsync(async () => (await HomesAsync(HqAdmin)).GetValueOrDefault(LicenceFullMigrationTests.Bob) == "ny", "hq knows Bob lives on ny");
    }

    public async Task DisposeAsync()
    {
        HqAdmin.Dispose();
        NyAdmin.Dispose();
        await Ny.DisposeAsync();
        await Hq.DisposeAsync();
        await _slapd.DisposeAsync();
    }
}

/// <summary>Migrate Here into a server without a free seat (manual, chapter 3) is refused and starts nothing.</summary>
/// <remarks>
/// The tests share one cluster. The first leaves it as it found it; the second ends with Bob moved
/// to hq and the reserve user disabled, so hq is full either way and the first holds in any order.
/// </remarks>
public sealed class LicenceFullMigrationTests(LicensedClusterFixture cluster) : IClassFixture<LicensedClusterFixture>
{
    public const string Bob = "bob.smith@company.com";
    public const string Dan = "dan.brown@company.com";

    [Fact]
    public async Task MigrateHere_IntoAFullServer_IsRefusedAsLicenceFull_AndNothingIsCopiedOrMoved()
    {
        // The New York people homed on ny do not count on hq; the mailboxes homed on hq fill its seats.
        var licence = await LicenceAsync(cluster.HqAdmin);
        Assert.Equal(new LicenceDto(LicensedClusterFixture.HqSeats, LicensedClusterFixture.HqSeats, 0, "full", "setting", null), licence.Summary);
        var users = (await cluster.HqAdmin.GetFromJsonAsync<UserPageDto>($"api/v1/users?domain={Domain}&pageSize=500"))!.Items;
        Assert.Equal(LicensedClusterFixture.HqSeats, users.Count(u => u.HomeServer == "hq" && u.Enabled));
        Assert.Contains(users, u => u.Address == Dan && u.HomeServer == "ny" && u.Enabled);
        var maildir = MigrateHereTests.MaildirOf(cluster.Ny, Dan);
        MigrateHereTests.Seed(maildir, 20);
        var before = Snapshot(maildir);

        var response = await cluster.HqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } });

        var problem = await RefusalAsync(response);
        Assert.Equal("licence-full", problem.GetProperty("code").GetString());
        var refusal = Assert.Single(problem.GetProperty("refusals").EnumerateArray());
        Assert.Equal((Dan, "licence-full"), (refusal.GetProperty("user").GetString(), refusal.GetProperty("code").GetString()));
        Assert.Contains("licensed for 7 mailboxes and every seat is taken", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertNothingStartedAsync(Dan);
        Assert.Equal(before, Snapshot(maildir));

        // Refused for the licence and for another reason at once: each refusal keeps its own code.
        var mixed = await RefusalAsync(await cluster.HqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { "alice.novak@company.com", Dan } }));
        Assert.Equal("migration-refused", mixed.GetProperty("code").GetString());
        Assert.Equal(
            [("alice.novak@company.com", "already-home"), (Dan, "licence-full")],
            mixed.GetProperty("refusals").EnumerateArray().Select(r => (r.GetProperty("user").GetString(), r.GetProperty("code").GetString())).Order());
        await AssertNothingStartedAsync(Dan);
        Assert.Equal(before, Snapshot(maildir));
    }

    [Fact]
    public async Task MigrateHere_OfTwoUsersWithOneSeatFree_StartsNeither_AndTheSeatOnceTakenByAMoveIsNotFreeForAnother()
    {
        // A disabled mailbox frees its seat.
        await SetEnabledAsync(cluster.HqAdmin, LicensedClusterFixture.Reserve, enabled: false);
        Assert.Equal(1, (await LicenceAsync(cluster.HqAdmin)).Free);
        MigrateHereTests.Seed(MigrateHereTests.MaildirOf(cluster.Ny, Bob), 5);

        var both = await cluster.HqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Bob, Dan } });

        var problem = await RefusalAsync(both);
        Assert.Equal("licence-full", problem.GetProperty("code").GetString());
        Assert.Contains(Dan, problem.GetProperty("refusals").EnumerateArray().Select(r => r.GetProperty("user").GetString()));
        Assert.All(problem.GetProperty("refusals").EnumerateArray(), r => Assert.Equal("licence-full", r.GetProperty("code").GetString()));
        await AssertNothingStartedAsync(Bob);
        await AssertNothingStartedAsync(Dan);

        // Bob alone fits; while he moves (or once he has), his seat is not free for Dan.
        Assert.Equal(3, (await NodeLicenceAsync(cluster.NyAdmin)).Used);
        var started = await cluster.HqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Bob } });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString()!;
        var dan = await cluster.HqAdmin.PostAsJsonAsync("api/v1/migrations", new { users = new[] { Dan } });
        Assert.Equal("licence-full", (await RefusalAsync(dan)).GetProperty("code").GetString());

        await EventuallyAsync(async () => (await JobsAsync()).Single(j => j.GetProperty("id").GetString() == id).GetProperty("state").GetString() is "completed" or "failed" or "canceled", "Bob's move ends", TimeSpan.FromSeconds(90));
        Assert.Equal("completed", (await JobsAsync()).Single(j => j.GetProperty("id").GetString() == id).GetProperty("state").GetString());

        // Both nodes count the move at once: Bob's seat is now hq's, no longer ny's.
        Assert.Equal(new LicenceDto(LicensedClusterFixture.HqSeats, LicensedClusterFixture.HqSeats, 0, "full", "setting", null), (await LicenceAsync(cluster.HqAdmin)).Summary);
        Assert.Equal(2, (await NodeLicenceAsync(cluster.NyAdmin)).Used);
    }

    private static async Task<JsonElement> RefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"Expected 409, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>No job for the user, no copy or work folder on hq, and both nodes still route the user to ny.</summary>
    private async Task AssertNothingStartedAsync(string address)
    {
        Assert.DoesNotContain(await JobsAsync(), j => j.GetProperty("user").GetString() == address);
        Assert.False(Directory.Exists(MigrateHereTests.MaildirOf(cluster.Hq, address)), $"hq has no copy of {address}'s mailbox");
        var work = Path.Combine(cluster.Hq.DataDir, "migrations");
        Assert.True(!Directory.Exists(work) || Directory.GetFileSystemEntries(work).Length == 0, $"hq has no migration work folder: {string.Join(", ", Directory.Exists(work) ? Directory.GetFileSystemEntries(work) : [])}");
        Assert.Equal("ny", (await HomesAsync(cluster.HqAdmin))[address]);
        Assert.Equal("ny", (await HomesAsync(cluster.NyAdmin))[address]);
    }

    private async Task<JsonElement[]> JobsAsync() => await cluster.HqAdmin.GetFromJsonAsync<JsonElement[]>("api/v1/migrations") ?? [];

    /// <summary>Every file of a Maildir with its size, relative to the Maildir.</summary>
    private static List<string> Snapshot(string maildir) =>
        [.. Directory.GetFiles(maildir, "*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(maildir, f)}:{new FileInfo(f).Length}").Order(StringComparer.Ordinal)];
}
