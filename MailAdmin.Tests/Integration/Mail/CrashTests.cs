using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// "A message answered 250 survives any crash": the node runs as its own OS process, takes
/// a load of messages from concurrent SMTP clients, and is killed with SIGKILL in the middle.
/// After a restart every acknowledged message is in the mailbox exactly once, complete, and
/// no message is there twice.
/// </summary>
public sealed partial class CrashTests : IDisposable
{
    private const int Messages = 1000;
    private const int Sessions = 10;
    private const string Password = "Initial-Secret-1";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-crash-{Guid.NewGuid():N}");
    private readonly int _httpPort = FreePort();
    private readonly int _smtpPort = FreePort();
    private readonly int _submissionPort = FreePort();

    [Fact]
    public async Task KilledWithSigkillDuringALoad_AfterARestart_DeliversEveryAcknowledgedMessageExactlyOnce()
    {
        var node = StartNode();
        try
        {
            await WaitForSmtpAsync(node);
            await PrepareMailboxAsync();

            var acknowledged = new ConcurrentDictionary<int, bool>();
            var next = -1;
            using var killed = new CancellationTokenSource();
            var senders = Enumerable.Range(0, Sessions).Select(_ => Task.Run(() => SendUntilKilledAsync(() => Interlocked.Increment(ref next), acknowledged, killed.Token))).ToList();

            // Kill the node mid-load: after a good share of the messages was acknowledged, not at a quiet moment.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < Messages / 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            node.Kill(entireProcessTree: true); // SIGKILL on Linux: no shutdown code runs.
            await node.WaitForExitAsync();
            await killed.CancelAsync();
            await Task.WhenAll(senders);
            Assert.True(acknowledged.Count >= Messages / 3, $"Only {acknowledged.Count} messages were acknowledged before the kill; the load never got going.");
            Assert.True(Volatile.Read(ref next) < Messages + Sessions, "The node was killed after the load had ended, not during it.");

            node.Dispose();
            node = StartNode();
            await WaitForSmtpAsync(node);
            var delivered = await WaitForDeliveryAsync(acknowledged.Keys.ToHashSet());

            var missing = acknowledged.Keys.Where(id => !delivered.ContainsKey(id)).Order().ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged messages were lost: {string.Join(", ", missing.Take(20))}");
            var twice = delivered.Where(d => d.Value > 1).Select(d => d.Key).Order().ToList();
            Assert.True(twice.Count == 0, $"{twice.Count} messages were delivered more than once: {string.Join(", ", twice.Take(20))}");
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }

            node.Dispose();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private async Task SendUntilKilledAsync(Func<int> take, ConcurrentDictionary<int, bool> acknowledged, CancellationToken killed)
    {
        using var client = new SmtpClient { Timeout = 10_000 };
        try
        {
            await client.ConnectAsync("127.0.0.1", _smtpPort, SecureSocketOptions.None, killed);
            for (var id = take(); id < Messages && !killed.IsCancellationRequested; id = take())
            {
                await client.SendAsync(Message(id), killed);
                acknowledged[id] = true; // SendAsync returned: the node answered 250 to the final dot.
            }
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException or ServiceNotConnectedException)
        {
            // The node died under this session: what was not acknowledged may or may not be delivered.
        }
    }

    private static MimeMessage Message(int id)
    {
        var message = new MimeMessage { Subject = $"crash-{id}" };
        message.From.Add(MailboxAddress.Parse("load@example.org"));
        message.To.Add(MailboxAddress.Parse("ann@company.com"));
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("A line of text to make the message a few kilobytes long.\n", 80)) + $"end-of-crash-{id}\n" };
        return message;
    }

    private async Task<Dictionary<int, int>> WaitForDeliveryAsync(HashSet<int> acknowledged)
    {
        var inbox = Path.Combine(_dataDir, "mail", "company.com", "ann", "new");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        using var admin = await SignedInAsync();
        while (true)
        {
            var queueEmpty = (await admin.GetFromJsonAsync<List<object>>("api/v1/queue"))!.Count == 0;
            var delivered = new Dictionary<int, int>();
            foreach (var file in Directory.Exists(inbox) ? Directory.GetFiles(inbox) : [])
            {
                var text = await File.ReadAllTextAsync(file);
                var subject = SubjectPattern().Match(text);
                Assert.True(subject.Success, $"{file} is not one of the test's messages.");
                var id = int.Parse(subject.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(text.TrimEnd().EndsWith($"end-of-crash-{id}", StringComparison.Ordinal), $"{file} holds a half-written message.");
                delivered[id] = delivered.GetValueOrDefault(id) + 1;
            }

            if ((queueEmpty && acknowledged.All(delivered.ContainsKey)) || DateTime.UtcNow > deadline)
            {
                return delivered;
            }

            await Task.Delay(200);
        }
    }

    private async Task PrepareMailboxAsync()
    {
        using var admin = await SignedInAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/users", new { address = "ann@company.com", name = "Ann", password = "User-Password-1" })).StatusCode);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}/") };
        var response = await client.PostAsJsonAsync("api/v1/session", new { username = "admin", password = Password });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return client;
    }

    private Process StartNode()
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MailAdmin.Web.dll"));
        foreach (var arg in new[]
        {
            $"--Node:DataDir={_dataDir}", "--Node:Name=crash", $"--urls=http://127.0.0.1:{_httpPort}", "--Cluster:Port=0",
            $"--Smtp:Port={_smtpPort}", $"--Smtp:SubmissionPort={_submissionPort}", "--Smtp:ListenAddress=127.0.0.1",
            $"--Admin:InitialPassword={Password}", "--Directory:SyncIntervalMinutes=0", "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForSmtpAsync(Process node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(node.HasExited, $"The node exited with code {(node.HasExited ? node.ExitCode : 0)} while starting.");
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}/") };
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _smtpPort);
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or HttpRequestException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The node did not start listening within 60 s.", e);
                }
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^Subject: crash-(\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex SubjectPattern();
}
