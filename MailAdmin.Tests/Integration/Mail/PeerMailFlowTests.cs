using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Delivery;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Nodes;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Cluster;
using MailAdmin.Tests.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// Mail between two real nodes of one distributed domain, in this process: <c>hq</c> (the
/// master, whose relay host is a sink standing for the Internet) and <c>branch</c> (a slave).
/// Each node knows the other through a test topology, holds a certificate from a test CA and
/// forwards over real SMTP with STARTTLS. Both clocks are fake and never advanced unless a
/// test says so: whatever arrives, arrives because it was sent at once, not after a backoff.
/// </summary>
public sealed class PeerMailFlowTests : IAsyncLifetime
{
    private const string Password = "User-Password-1";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("company.com distributed domain CA");
    private readonly TestClusterTopology _hqTopology = new(NodeRole.Master, "hq");
    private readonly TestClusterTopology _branchTopology = new(NodeRole.Slave, "hq");
    private readonly FakeTimeProvider _hqClock = new(DateTimeOffset.UtcNow);
    private readonly FakeTimeProvider _branchClock = new(DateTimeOffset.UtcNow);
    private X509Certificate2 _hqCertificate = default!;
    private X509Certificate2 _branchCertificate = default!;
    private SmtpSink _internet = default!;
    private TestNode _hq = default!;
    private TestNode _branch = default!;

    public async Task InitializeAsync()
    {
        _hqCertificate = _ca.Issue("hq");
        _branchCertificate = _ca.Issue("branch");
        _internet = SmtpSink.Start();
        _hq = await TestNode.StartAsync(
            "hq",
            services => Member(services, _hqTopology, _hqCertificate, _hqClock),
            $"--Smtp:RelayHost=127.0.0.1:{_internet.Port}",
            "--Smtp:HostName=hq.company.com");
        _branch = await TestNode.StartAsync(
            "branch",
            services => Member(services, _branchTopology, _branchCertificate, _branchClock),
            "--Smtp:HostName=branch.company.com");
        _branchTopology.SetPeer(PeerOf(_hq, _hqCertificate, isMaster: true));
        _hqTopology.SetPeer(PeerOf(_branch, _branchCertificate, isMaster: false));

        // Both nodes know every user of the domain; ann's mailbox is on branch, bob's and carol's on hq.
        foreach (var node in new[] { _hq, _branch })
        {
            using var admin = await node.SignedInClientAsync();
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
            foreach (var user in new[] { "ann", "bob", "carol" })
            {
                Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/users", new { address = $"{user}@company.com", name = user, password = Password })).StatusCode);
            }
        }

        await _hq.SetHomeServerAsync("ann@company.com", "branch");
        await _branch.SetHomeServerAsync("bob@company.com", "hq");
        await _branch.SetHomeServerAsync("carol@company.com", "hq");
    }

    public async Task DisposeAsync()
    {
        await _branch.DisposeAsync();
        await _hq.DisposeAsync();
        await _internet.DisposeAsync();
        _hqCertificate.Dispose();
        _branchCertificate.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public async Task MailForAUserHomedOnAnotherNode_IsForwardedToThatNode_AndLandsInItsMaildirExactlyOnce()
    {
        using (var client = await ConnectAsync(_branch, Port.Submission))
        {
            await client.AuthenticateAsync("ann@company.com", Password);
            await client.SendAsync(Message("ann@company.com", "bob@company.com"));
            await client.DisconnectAsync(quit: true);
        }

        var file = Assert.Single(await _hq.WaitForInboxAsync("bob@company.com", 1));
        await MailTestExtensions.WaitUntilAsync(() => _branch.Queue().List().Count == 0 && _hq.Queue().List().Count == 0, "both queues are empty");
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("Return-Path: <ann@company.com>", text, StringComparison.Ordinal);
        Assert.Contains("(peer node branch, authenticated by its TLS client certificate)\r\n\tby hq.company.com with ESMTPS id ", text, StringComparison.Ordinal);
        Assert.Contains(_hq.Logs.GetSnapshot(), r => r.Message.Contains("is peer node branch", StringComparison.Ordinal));
        Assert.Empty(_branch.Inbox("bob@company.com"));

        await Task.Delay(500);
        Assert.Single(_hq.Inbox("bob@company.com"));
    }

    [Fact]
    public async Task APeerThatIsDown_KeepsItsMailWaiting_AndGetsItWithinSecondsOfComingBack()
    {
        await _branch.StopAsync();
        var id = await _hq.EnqueueAsync("partner@example.org", ["ann@company.com"]);

        var waiting = await _hq.WaitForAttemptAsync(id, "ann@company.com", 1);
        Assert.Equal(RecipientState.Pending, waiting.State);
        Assert.Equal(NextHop.NodeKey("branch"), waiting.NextHop);
        Assert.Contains("Cannot connect to node branch at 127.0.0.1:", waiting.LastError, StringComparison.Ordinal);
        Assert.Equal(_hqClock.GetUtcNow() + TimeSpan.FromMinutes(5), waiting.NextAttempt, TimeSpan.FromSeconds(1));

        // Back, on another port: it announces itself, and hq retries at once (its clock stands still).
        await _branch.StartAsync();
        _hqTopology.SetPeer(PeerOf(_branch, _branchCertificate, isMaster: false));
        _hqTopology.RaisePeerReturned("branch");

        Assert.Single(await _branch.WaitForInboxAsync("ann@company.com", 1, TimeSpan.FromSeconds(10)));
        await MailTestExtensions.WaitUntilAsync(() => _hq.Queue().Get(id) is null, "the message left hq's queue", TimeSpan.FromSeconds(10));
        Assert.Contains(_hq.Logs.GetSnapshot(), r => r.Message == "Node branch is back: 1 messages waiting for it are retried now.");
    }

    [Fact]
    public async Task ExternalMailOnASlave_WaitsForTheMaster_ThenGoesOutThroughIt_InOneTransactionWithTheMastersUsers()
    {
        await _hq.StopAsync();
        var id = await _branch.EnqueueAsync("ann@company.com", ["partner@example.org", "bob@company.com"]);
        var external = await _branch.WaitForAttemptAsync(id, "partner@example.org", 1);
        Assert.Equal(NextHop.NodeKey("hq"), external.NextHop);
        Assert.Equal(NextHop.NodeKey("hq"), (await _branch.WaitForAttemptAsync(id, "bob@company.com", 1)).NextHop);

        await _hq.StartAsync();
        _branchTopology.SetPeer(PeerOf(_hq, _hqCertificate, isMaster: true));
        _branchTopology.RaisePeerReturned("hq");

        await MailTestExtensions.WaitUntilAsync(() => !_internet.Messages.IsEmpty, "the master sent the external mail out", TimeSpan.FromSeconds(10));
        var sent = Assert.Single(_internet.Messages);
        Assert.Equal(("ann@company.com", "partner@example.org"), (sent.Sender, Assert.Single(sent.Recipients)));
        Assert.Contains("(peer node branch, authenticated by its TLS client certificate)", sent.Content, StringComparison.Ordinal);
        Assert.Single(await _hq.WaitForInboxAsync("bob@company.com", 1));
        Assert.Single(_hq.Logs.GetSnapshot(), r => r.Message.Contains("queued", StringComparison.Ordinal) && r.Message.Contains("for 2 recipients", StringComparison.Ordinal));
        await MailTestExtensions.WaitUntilAsync(() => _branch.Queue().Get(id) is null, "the message left branch's queue");
    }

    [Fact]
    public async Task AClientCertificateFromAForeignCa_GetsNoRelayRights_WhileAMembersCertificateDoes()
    {
        using var foreignCa = TestCertificateAuthority.Create("company.com distributed domain CA");
        using var impostor = foreignCa.Issue("branch");
        using (var client = await ConnectAsync(_hq, Port.Incoming, impostor))
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("ann@company.com", "partner@example.org")));

            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
            Assert.StartsWith("5.7.1 Relay access denied", refused.Message, StringComparison.Ordinal);
        }

        Assert.Contains(_hq.Logs.GetSnapshot(), r => r.Message.Contains("CN=branch gives no peer rights: certificate not issued by this distributed domain's CA", StringComparison.Ordinal));
        Assert.DoesNotContain(_hq.Logs.GetSnapshot(), r => r.Message.Contains("is peer node", StringComparison.Ordinal));

        using (var member = await ConnectAsync(_hq, Port.Incoming, _branchCertificate))
        {
            await member.SendAsync(Message("ann@company.com", "partner@example.org"));
        }

        await MailTestExtensions.WaitUntilAsync(() => !_internet.Messages.IsEmpty, "the master relayed for its member");
    }

    [Fact]
    public async Task AMemberAskingASlaveToSendMailOut_IsToldToWait_ButMayStillSendToTheDomainsUsers()
    {
        using var client = await ConnectAsync(_branch, Port.Incoming, _hqCertificate);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("bob@company.com", "partner@example.org")));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        Assert.StartsWith("4.7.1 Relay access denied for now: this node is not the master", refused.Message, StringComparison.Ordinal);

        await client.SendAsync(Message("bob@company.com", "ann@company.com"));
        Assert.Single(await _branch.WaitForInboxAsync("ann@company.com", 1));
        Assert.Contains(_branch.Logs.GetSnapshot(), r => r.Message.Contains("is peer node hq", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APeerPresentingAnotherSmtpCertificate_IsSentNothing_AndTheMailWaitsWithTheReason()
    {
        var wrong = new string('0', 64);
        _branchTopology.SetPeer(PeerOf(_hq, _hqCertificate, isMaster: true) with { SmtpThumbprint = wrong });
        var id = await _branch.EnqueueAsync("ann@company.com", ["bob@company.com"]);

        var waiting = await _branch.WaitForAttemptAsync(id, "bob@company.com", 1);

        var presented = _hq.Services.GetRequiredService<SmtpEndpoints>().CertificateThumbprint;
        Assert.Equal(
            $"451 4.7.0 node hq at 127.0.0.1:{_hq.Services.GetRequiredService<SmtpEndpoints>().Incoming.Port} presented an SMTP certificate with SHA-256 thumbprint {presented}, not {wrong} as the distributed domain announced; nothing was sent. Check that node's SMTP certificate.",
            waiting.LastError);
        Assert.Equal(RecipientState.Pending, waiting.State);
        Assert.Empty(_hq.Inbox("bob@company.com"));
        Assert.DoesNotContain(_hq.Logs.GetSnapshot(), r => r.Message.Contains("queued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APeerWithoutStartTls_IsSentNothingInClear()
    {
        _branchTopology.SetPeer(PeerOf(_hq, _hqCertificate, isMaster: true) with { SmtpPort = _internet.Port });
        var id = await _branch.EnqueueAsync("ann@company.com", ["bob@company.com"]);

        var waiting = await _branch.WaitForAttemptAsync(id, "bob@company.com", 1);

        Assert.Equal($"451 4.7.0 node hq at 127.0.0.1:{_internet.Port} does not offer STARTTLS; mail between nodes is never sent in clear.", waiting.LastError);
        Assert.True(_internet.Connections >= 1);
        Assert.Empty(_internet.Messages);
    }

    [Fact]
    public async Task AHomeNodeNoMemberAnswersTo_KeepsTheMailWaiting_UntilThatNodeIsKnown()
    {
        await _branch.SetHomeServerAsync("carol@company.com", "tokyo");
        var id = await _branch.EnqueueAsync("ann@company.com", ["carol@company.com"]);

        var waiting = await _branch.WaitForAttemptAsync(id, "carol@company.com", 1);
        Assert.Equal(RecipientState.Pending, waiting.State);
        Assert.Equal(NextHop.NodeKey("tokyo"), waiting.NextHop);
        Assert.StartsWith("451 4.4.0 Node tokyo, where <carol@company.com> goes next, is not a member", waiting.LastError, StringComparison.Ordinal);
        Assert.Empty(_branch.Inbox("ann@company.com"));

        // tokyo joins (here: at hq's address, which delivers carol's mail to its own Maildir).
        _branchTopology.SetPeer(PeerOf(_hq, _hqCertificate, isMaster: false) with { Name = "tokyo" });
        _branchTopology.RaisePeerReturned("tokyo");

        Assert.Single(await _hq.WaitForInboxAsync("carol@company.com", 1, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ARecipientTheHomeNodeRefuses_IsBouncedToTheSender()
    {
        using (var admin = await _hq.SignedInClientAsync())
        {
            Assert.True((await admin.PutAsJsonAsync("api/v1/users/bob@company.com", new { enabled = false })).IsSuccessStatusCode);
        }

        await _branch.EnqueueAsync("ann@company.com", ["bob@company.com"], subject: "Budget");

        var bounce = await MimeMessage.LoadAsync(Assert.Single(await _branch.WaitForInboxAsync("ann@company.com", 1)));
        Assert.Equal("Undelivered Mail Returned to Sender", bounce.Subject);
        var group = Assert.IsType<MultipartReport>(bounce.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        Assert.Equal(("rfc822; bob@company.com", "5.2.1"), (group["Final-Recipient"], group["Status"]));
        Assert.Contains("disabled", group["Diagnostic-Code"], StringComparison.Ordinal);
        Assert.Empty(_hq.Inbox("bob@company.com"));
    }

    [Fact]
    public async Task APeerDownForLong_GetsTheSenderADelayWarning_ThenABounceAfterTheQueuesLifetime()
    {
        await _hq.StopAsync();
        var id = await _branch.EnqueueAsync("ann@company.com", ["bob@company.com"], subject: "Budget");
        await _branch.WaitForAttemptAsync(id, "bob@company.com", 1);

        await AdvanceBranchAsync(TimeSpan.FromHours(5));
        var warning = await MimeMessage.LoadAsync(Assert.Single(await _branch.WaitForInboxAsync("ann@company.com", 1)));
        Assert.Equal("Delayed Mail (still being retried)", warning.Subject);
        var delayed = Assert.IsType<MultipartReport>(warning.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        Assert.Equal(("delayed", "4.4.1"), (delayed["Action"], delayed["Status"]));
        Assert.Contains("node hq", delayed["Diagnostic-Code"], StringComparison.Ordinal);

        await AdvanceBranchAsync(new QueueOptions().MaxLifetime);
        var inbox = await _branch.WaitForInboxAsync("ann@company.com", 2);
        var bounces = await Task.WhenAll(inbox.Select(f => MimeMessage.LoadAsync(f)));
        var bounce = Assert.Single(bounces, m => m.Subject == "Undelivered Mail Returned to Sender");
        Assert.Equal("failed", Assert.IsType<MultipartReport>(bounce.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1]["Action"]);
        await MailTestExtensions.WaitUntilAsync(() => _branch.Queue().Get(id) is null, "the message was given up on");
    }

    [Fact]
    public async Task MailThatLoopsBetweenNodes_IsStoppedByTheHopLimit_AndBounced()
    {
        // Each node believes bob lives on the other.
        await _hq.SetHomeServerAsync("bob@company.com", "branch");

        await _branch.EnqueueAsync("ann@company.com", ["bob@company.com"]);

        var bounce = await MimeMessage.LoadAsync(Assert.Single(await _branch.WaitForInboxAsync("ann@company.com", 1, TimeSpan.FromSeconds(60))));
        Assert.Equal("5.4.6", Assert.IsType<MultipartReport>(bounce.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1]["Status"]);
        await MailTestExtensions.WaitUntilAsync(() => _branch.Queue().List().Count == 0 && _hq.Queue().List().Count == 0, "both queues are empty");
    }

    private enum Port
    {
        Incoming,
        Submission,
    }

    /// <summary>What the distributed domain gives a member node: its standing and peers, its certificate and the CA.</summary>
    private void Member(IServiceCollection services, TestClusterTopology topology, X509Certificate2 certificate, FakeTimeProvider clock)
    {
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IClusterTopology>(topology);
        services.AddSingleton<IPeerRegistry>(topology);
        services.AddSingleton<IClusterIdentity>(new TestClusterIdentity(certificate, _ca.PublicRoot()));
    }

    private static PeerNode PeerOf(TestNode node, X509Certificate2 certificate, bool isMaster)
    {
        var endpoints = node.Services.GetRequiredService<SmtpEndpoints>();
        return new PeerNode(node.Name, "127.0.0.1", 0, endpoints.Incoming.Port, node.BaseAddress.ToString(), isMaster, CertificateThumbprints.Sha256(certificate), endpoints.CertificateThumbprint);
    }

    private async Task AdvanceBranchAsync(TimeSpan by)
    {
        _branchClock.Advance(by);
        await _branch.Services.GetRequiredService<DeliveryAgent>().RunDueAsync(CancellationToken.None);
    }

    private static async Task<SmtpClient> ConnectAsync(TestNode node, Port port, X509Certificate2? clientCertificate = null)
    {
        var endpoints = node.Services.GetRequiredService<SmtpEndpoints>();
        var expected = endpoints.CertificateThumbprint;
        var client = new SmtpClient
        {
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && CertificateThumbprints.Sha256(certificate) == expected,
            Timeout = 15_000,
        };
        if (clientCertificate is not null)
        {
            client.ClientCertificates = [clientCertificate];
        }

        await client.ConnectAsync("127.0.0.1", (port == Port.Submission ? endpoints.Submission : endpoints.Incoming).Port, SecureSocketOptions.StartTls);
        return client;
    }

    private static MimeMessage Message(string from, string to)
    {
        var message = new MimeMessage { Subject = "Plans" };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "See you at nine." };
        return message;
    }
}
