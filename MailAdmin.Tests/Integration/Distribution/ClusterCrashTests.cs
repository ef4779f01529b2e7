using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using MailAdmin.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using static MailAdmin.Tests.Infrastructure.ClusterSteps;

namespace MailAdmin.Tests.Integration.Distribution;

/// <summary>
/// "A message answered 250 survives any crash", across two nodes of a distributed domain that
/// run as separate OS processes: mail for Bob (homed on ny) goes into the master hq from ten
/// concurrent SMTP sessions, and one of the nodes is killed with SIGKILL in the middle. After a
/// restart on the same data and ports, every message hq acknowledged is in Bob's Maildir on ny
/// exactly once: none lost, none twice.
/// </summary>
/// <remarks>
/// Forwarding between nodes is at-least-once: hq records a forward as done only after ny's 250,
/// and ny delivers idempotently only by its own queue id. So a crash between ny's commit and hq
/// reading (or committing) the 250 sends the message again, and ny files it a second time under
/// a new queue id. When that happens the assertion names, for each duplicate, both ny queue ids
/// and the hq queue id they came from.
/// </remarks>
public sealed partial class ClusterCrashTests : IAsyncLifetime
{
    private const int Messages = 600;
    private const int Sessions = 10;
    private const string Bob = "bob.smith@company.com";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly SlapdFixture _slapd = new();
    private NodeProcess _hq = default!;
    private NodeProcess _ny = default!;

    public async Task InitializeAsync()
    {
        _ = NodeProcess.WebDll; // Fails at once, naming the build, when the node was not built.
        try
        {
            await _slapd.InitializeAsync();
            string[] args = [.. NodeArgs, "--Logging:LogLevel:Default=Warning"];
            Task<NodeProcess>[] starting = [NodeProcess.StartAsync("hq", args), NodeProcess.StartAsync("ny", args)];
            await Task.WhenAll(starting.Cast<Task>()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _hq = starting[0].IsCompletedSuccessfully ? await starting[0] : null!;
            _ny = starting[1].IsCompletedSuccessfully ? await starting[1] : null!;
            await Task.WhenAll(starting);

            // Both offices ran on their own first (an existing local domain), then ny joins hq.
            using var hqAdmin = await _hq.SignedInClientAsync();
            using var nyAdmin = await _ny.SignedInClientAsync();
            await SetDirectoryAsync(hqAdmin, _slapd, placementFilter: "(!(l=New York))");
            await SyncAsync(hqAdmin);
            await SetDirectoryAsync(nyAdmin, _slapd, placementFilter: "(l=New York)");
            await SyncAsync(nyAdmin);
            await JoinAsync(nyAdmin, _hq.MasterHost);
            await EventuallyAsync(async () => (await HomesAsync(hqAdmin)).GetValueOrDefault(Bob) == "ny", "hq knows that Bob's home is ny");
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails: stop slapd and the nodes here.
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

    [Fact]
    public async Task SlaveKilledWhileTheMasterForwards_AfterItsRestart_HasEveryAcknowledgedMessage_RepeatingOnlyWhatWasInFlight()
    {
        var load = new Load(_hq.SmtpPort);
        var senders = load.Start();

        await load.WaitForAcknowledgedAsync(Messages / 3);
        await _ny.KillAsync();
        var atKill = load.Acknowledged.Count;

        // hq keeps taking Bob's mail while ny is down: it waits in hq's queue.
        await load.WaitForAcknowledgedAsync(atKill + (Messages / 4));
        await load.StopAsync(senders);
        Assert.True(load.Refused.IsEmpty, $"hq refused or dropped messages while ny was down: {string.Join("; ", load.Refused.Take(5))}");

        var restarted = Stopwatch.StartNew();
        await _ny.StartAsync();
        var inbox = await WaitForInboxAsync(load.Acknowledged.Keys);

        AssertNothingLost(load, inbox, restarted.Elapsed);
    }

    [Fact]
    public async Task MasterKilledWhileItForwards_AfterItsRestart_HasEveryAcknowledgedMessageOnTheSlave_RepeatingOnlyWhatWasInFlight()
    {
        var load = new Load(_hq.SmtpPort);
        var senders = load.Start();

        await load.WaitForAcknowledgedAsync(Messages / 3);

        // Kill hq while it forwards, not while it only queues: its first forwards have landed on ny.
        var forwarding = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_ny.Inbox(Bob).Length == 0 && DateTime.UtcNow < forwarding)
        {
            await Task.Delay(20);
        }

        Assert.NotEmpty(_ny.Inbox(Bob));
        await _hq.KillAsync();
        await load.StopAsync(senders); // Every session breaks with hq; what was not acknowledged may or may not arrive.

        var restarted = Stopwatch.StartNew();
        await _hq.StartAsync();
        var inbox = await WaitForInboxAsync(load.Acknowledged.Keys);

        AssertNothingLost(load, inbox, restarted.Elapsed);
    }

    private static async Task JoinAsync(HttpClient slaveAdmin, string masterHost)
    {
        var distributable = await slaveAdmin.PostAsJsonAsync("api/v1/cluster/distributable", new { masterHost, username = "admin", password = NodeProcess.AdminPassword });
        Assert.True(distributable.StatusCode == HttpStatusCode.OK, await distributable.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await distributable.Content.ReadAsStringAsync());
        var fingerprint = json.RootElement.GetProperty("fingerprint").GetString();
        var connect = await slaveAdmin.PostAsJsonAsync("api/v1/cluster/connect", new { masterHost, username = "admin", password = NodeProcess.AdminPassword, domain = Domain, fingerprint });
        Assert.True(connect.StatusCode == HttpStatusCode.OK, await connect.Content.ReadAsStringAsync());
    }

    /// <summary>Bob's Maildir on ny once every acknowledged message is there and hq's queue is empty (nothing more can come), or after the timeout.</summary>
    private async Task<List<Copy>> WaitForInboxAsync(ICollection<int> acknowledged)
    {
        using var hqAdmin = await _hq.SignedInClientAsync();
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        while (true)
        {
            var copies = _ny.Inbox(Bob).Select(Copy.Read).ToList();
            var arrived = copies.Select(c => c.Number).ToHashSet();
            var queued = (await hqAdmin.GetFromJsonAsync<List<JsonElement>>("api/v1/queue"))!.Count;
            if ((queued == 0 && acknowledged.All(arrived.Contains)) || DateTime.UtcNow > deadline)
            {
                return copies;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Forwarding between nodes is at-least-once, like any MTA's: a message whose 250 from ny is
    /// lost in the crash (ny killed after committing it, or hq killed before recording the 250) is
    /// sent again. So the test demands that nothing acknowledged is lost, that every repeat is the
    /// same hq message sent again (same hq queue id), and that repeats are few — the messages in
    /// flight at the kill, at most two per session — never a systematic doubling.
    /// </summary>
    private void AssertNothingLost(Load load, List<Copy> inbox, TimeSpan sinceRestart)
    {
        var arrived = inbox.GroupBy(c => c.Number).ToDictionary(g => g.Key, g => g.ToList());
        var lost = load.Acknowledged.Keys.Where(n => !arrived.ContainsKey(n)).Order().ToList();
        var twice = arrived.Where(a => a.Value.Count > 1).OrderBy(a => a.Key).ToList();
        var unknown = arrived.Keys.Where(n => n < 0 || n >= load.Started).ToList();

        Assert.True(lost.Count == 0,
            $"{lost.Count} of {load.Acknowledged.Count} messages hq acknowledged are not in Bob's Maildir on ny {sinceRestart.TotalSeconds:F1} s after the restart: "
            + $"{string.Join(", ", lost.Take(20))}.{Environment.NewLine}hq said:{Environment.NewLine}{_hq.RecentOutput()}{Environment.NewLine}ny said:{Environment.NewLine}{_ny.RecentOutput()}");
        Assert.All(twice, t => Assert.True(t.Value.Select(c => c.HqQueueId).Distinct(StringComparer.Ordinal).Count() == 1,
            $"message {t.Key} arrived as different hq messages: {string.Join("; ", t.Value.Select(c => c.HqQueueId))}"));
        Assert.True(twice.Count <= 2 * Sessions,
            $"{twice.Count} messages are in Bob's Maildir on ny more than once, more than the {2 * Sessions} that can be in flight at the kill:{Environment.NewLine}"
            + string.Join(Environment.NewLine, twice.Take(10).Select(t => $"  message {t.Key}: {string.Join("; ", t.Value.Select(c => $"ny queue id {c.NyQueueId} from hq queue id {c.HqQueueId}"))}")));
        Assert.True(unknown.Count == 0, $"Bob's Maildir holds messages the test never sent: {string.Join(", ", unknown)}");
    }

    [GeneratedRegex(@"^Subject: cluster-crash-(\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex SubjectPattern();

    [GeneratedRegex(@"\bwith ESMTP\w* id ([^\s;]+)")]
    private static partial Regex QueueIdPattern();

    /// <summary>One file in Bob's <c>new/</c>: the test's number, and the queue ids of ny (top Received:) and hq (the one below).</summary>
    private sealed record Copy(int Number, string NyQueueId, string HqQueueId)
    {
        public static Copy Read(string file)
        {
            var text = File.ReadAllText(file);
            var subject = SubjectPattern().Match(text);
            Assert.True(subject.Success, $"{file} is not one of the test's messages.");
            var number = int.Parse(subject.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(text.TrimEnd().EndsWith($"end-of-cluster-crash-{number}", StringComparison.Ordinal), $"{file} holds a half-written message.");
            var ids = QueueIdPattern().Matches(text).Select(m => m.Groups[1].Value).ToList();
            return new Copy(number, ids.ElementAtOrDefault(0) ?? "?", ids.ElementAtOrDefault(1) ?? "?");
        }
    }

    /// <summary>Ten MailKit sessions sending numbered messages for Bob into one SMTP port until told to stop or the port dies.</summary>
    private sealed class Load(int port)
    {
        private volatile bool _stopped;
        private int _next = -1;

        /// <summary>Numbers the server answered 250 to.</summary>
        public ConcurrentDictionary<int, bool> Acknowledged { get; } = new();

        /// <summary>Rejections (a 4xx or 5xx reply), as opposed to a connection that broke.</summary>
        public ConcurrentQueue<string> Refused { get; } = new();

        /// <summary>How many numbers were handed out: no message numbered this or more was ever sent.</summary>
        public int Started => Math.Min(Volatile.Read(ref _next) + 1, Messages);

        public List<Task> Start() => Enumerable.Range(0, Sessions).Select(_ => Task.Run(SendAsync)).ToList();

        public async Task WaitForAcknowledgedAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Acknowledged.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Only {Acknowledged.Count} of the {count} messages expected were acknowledged within 30 s; refusals: {string.Join("; ", Refused.Take(5))}");
                Assert.True(Volatile.Read(ref _next) < Messages + Sessions, $"All {Messages} messages were sent before {count} were acknowledged; refusals: {string.Join("; ", Refused.Take(5))}");
                await Task.Delay(5);
            }
        }

        /// <summary>Each session finishes the message it is sending, then quits.</summary>
        public async Task StopAsync(List<Task> senders)
        {
            _stopped = true;
            await Task.WhenAll(senders);
        }

        private async Task SendAsync()
        {
            using var client = new SmtpClient { Timeout = 15_000 };
            try
            {
                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
                for (var n = Interlocked.Increment(ref _next); n < Messages && !_stopped; n = Interlocked.Increment(ref _next))
                {
                    try
                    {
                        await client.SendAsync(Message(n));
                        Acknowledged[n] = true; // SendAsync returned: the server answered 250 to the final dot.
                    }
                    catch (SmtpCommandException e)
                    {
                        Refused.Enqueue($"{n}: {(int)e.StatusCode} {e.Message}");
                    }
                }

                await client.DisconnectAsync(quit: true);
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException)
            {
                // The server died under this session: the message it was sending may or may not have been taken.
            }
        }

        private static MimeMessage Message(int number)
        {
            var message = new MimeMessage { Subject = $"cluster-crash-{number}" };
            message.From.Add(MailboxAddress.Parse("partner@example.org"));
            message.To.Add(MailboxAddress.Parse(Bob));
            message.Body = new TextPart("plain")
            {
                Text = string.Concat(Enumerable.Repeat("A line of text to make the message a few kilobytes long.\n", 60)) + $"end-of-cluster-crash-{number}\n",
            };
            return message;
        }
    }
}
