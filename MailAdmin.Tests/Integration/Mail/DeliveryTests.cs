using System.Net;
using System.Net.Http.Json;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Delivery;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// The queue and delivery of a real node: messages queued through the spool exactly as an
/// SMTP session queues them, delivered into Maildirs on disk or to a sink SMTP server.
/// </summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private SmtpSink _sink = default!;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _sink = SmtpSink.Start();
        _node = await TestNode.StartAsync(
            "delivery",
            services => services.AddSingleton<TimeProvider>(_clock),
            $"--Smtp:RelayHost=127.0.0.1:{_sink.Port}",
            "--Smtp:HostName=mx.company.com",
            "--Queue:DelayWarningHours=0.2");
        _admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
        foreach (var user in new[] { "ann", "bob" })
        {
            var created = await _admin.PostAsJsonAsync("api/v1/users", new { address = $"{user}@company.com", name = user, password = "User-Password-1" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task LocalMail_LandsInTheMaildirOnce_WithReturnPathAndDeliveredTo_AndLeavesTheQueue()
    {
        var id = await _node.EnqueueAsync("someone@example.org", ["Ann@company.com"]);

        var inbox = await _node.WaitForInboxAsync("ann@company.com", 1);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id) is null, "the message left the queue");

        var file = Assert.Single(inbox);
        Assert.Contains($"Q{id}R0", Path.GetFileName(file), StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(file);
        Assert.StartsWith("Return-Path: <someone@example.org>\r\nDelivered-To: ann@company.com\r\nReceived: ", text, StringComparison.Ordinal);
        Assert.EndsWith("The body of Hello.\r\n", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path.GetDirectoryName(file)!)! + "/tmp"));
        Assert.Empty(_node.Queue().List());
        Assert.False(File.Exists(_node.Queue().ContentPath(id)));
    }

    [Fact]
    public async Task SmallMessagesLiveInTheQueueDatabase_LargeOnesInFiles_AndBothArriveByteForByte()
    {
        _sink.RecipientReply = _ => "451 4.3.0 Try again later";
        var small = "Subject: small\r\n\r\n" + new string('s', 1000) + "\r\n";
        var large = "Subject: large\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('l', 998) + "\r\n", 300));
        var smallId = await _node.EnqueueAsync("someone@example.org", ["partner@example.org"], small);
        var largeId = await _node.EnqueueAsync("someone@example.org", ["partner@example.org"], large);
        await DeferredAsync(smallId, attempts: 1);
        await DeferredAsync(largeId, attempts: 1);

        Assert.True(_node.Queue().Content(smallId)!.IsInline);
        Assert.False(File.Exists(_node.Queue().ContentPath(smallId)));
        Assert.False(_node.Queue().Content(largeId)!.IsInline);
        Assert.Equal(large.Length, new FileInfo(_node.Queue().ContentPath(largeId)).Length);

        await _node.RestartAsync();
        foreach (var id in new[] { smallId, largeId })
        {
            Assert.True(await _node.Queue().SetHeldAsync(id, held: false, CancellationToken.None));
        }

        await _node.EnqueueAsync("someone@example.org", ["ann@company.com"], small);
        await _node.EnqueueAsync("someone@example.org", ["ann@company.com"], large);
        var inbox = await _node.WaitForInboxAsync("ann@company.com", 2);
        var texts = await Task.WhenAll(inbox.Select(f => File.ReadAllTextAsync(f)));
        Assert.Contains(texts, t => t.EndsWith(small, StringComparison.Ordinal));
        Assert.Contains(texts, t => t.EndsWith(large, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AliasesAndLists_AreExpanded_AndEveryMailboxGetsOneCopy()
    {
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "ann@company.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains/company.com/lists", new { address = "team@company.com", members = new[] { "sales@company.com", "ann@company.com", "bob@company.com", "partner@example.org" } })).StatusCode);

        await _node.EnqueueAsync("someone@example.org", ["team@company.com", "sales@company.com"]);

        Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1));
        Assert.Single(await _node.WaitForInboxAsync("bob@company.com", 1));
        await MailTestExtensions.WaitUntilAsync(() => !_sink.Messages.IsEmpty, "the external list member got the message");
        Assert.Equal(["partner@example.org"], Assert.Single(_sink.Messages).Recipients);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().List().Count == 0, "the queue is empty");
        await Task.Delay(200);
        Assert.Single(_node.Inbox("ann@company.com"));
    }

    [Fact]
    public async Task ExternalMail_GoesThroughTheRelayHost_WithTheEnvelopeKept()
    {
        var id = await _node.EnqueueAsync("ann@company.com", ["partner@example.org", "other@example.org"]);

        await MailTestExtensions.WaitUntilAsync(() => !_sink.Messages.IsEmpty, "the relay got the message");
        var message = Assert.Single(_sink.Messages);
        Assert.Equal("ann@company.com", message.Sender);
        Assert.Equal(["partner@example.org", "other@example.org"], message.Recipients);
        Assert.Contains("Subject: Hello", message.Content, StringComparison.Ordinal);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id) is null, "the message left the queue");
    }

    [Fact]
    public async Task PermanentRefusal_BouncesAtOnce_WithADeliveryStatusNotification_AndTheBounceIsNeverBounced()
    {
        _sink.RecipientReply = r => r.StartsWith("nobody", StringComparison.Ordinal) ? "550 5.1.1 No such user here" : "250 2.1.5 Ok";

        await _node.EnqueueAsync("ann@company.com", ["nobody@example.org", "partner@example.org"], subject: "Quarterly figures");

        var file = Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1));
        var bounce = await ReadAsync(file);
        Assert.Equal("Undelivered Mail Returned to Sender", bounce.Subject);
        Assert.Equal("MAILER-DAEMON@mx.company.com", bounce.From.Mailboxes.Single().Address);
        var report = Assert.IsType<MultipartReport>(bounce.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = Assert.Single(report.OfType<MessageDeliveryStatus>());
        var recipient = Assert.Single(status.StatusGroups.Skip(1));
        Assert.Equal("rfc822; nobody@example.org", recipient["Final-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.1.1", recipient["Status"]);
        Assert.Contains("Content-Type: text/rfc822-headers", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Contains("Subject: Quarterly figures", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Equal(["partner@example.org"], Assert.Single(_sink.Messages).Recipients);

        // A message from the null sender that fails is dropped, not bounced (no bounce loops).
        await _node.EnqueueAsync(null, ["nobody@example.org"]);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().List().Count == 0, "the queue is empty");
        Assert.Single(_node.Inbox("ann@company.com"));
    }

    [Fact]
    public async Task LocalRecipientGoneSinceAcceptance_Bounces_WithTheReason()
    {
        Assert.True((await _admin.PutAsJsonAsync("api/v1/users/bob@company.com", new { enabled = false })).IsSuccessStatusCode);

        await _node.EnqueueAsync("ann@company.com", ["bob@company.com"]);

        var bounce = await ReadAsync(Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1)));
        var group = Assert.IsType<MultipartReport>(bounce.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        Assert.Equal("5.2.1", group["Status"]);
        Assert.Contains("disabled", group["Diagnostic-Code"], StringComparison.Ordinal);
        Assert.Empty(_node.Inbox("bob@company.com"));
    }

    [Fact]
    public async Task TemporaryFailure_IsRetriedOnTheBackoffSchedule_WarnedAbout_AndDeliveredWhenTheServerRecovers()
    {
        var refusing = true;
        _sink.RecipientReply = _ => refusing ? "451 4.3.0 Try again later" : "250 2.1.5 Ok";
        var start = _clock.GetUtcNow();
        var id = await _node.EnqueueAsync("ann@company.com", ["partner@example.org"]);

        var first = await DeferredAsync(id, attempts: 1);
        Assert.Equal(start + TimeSpan.FromMinutes(5), first.NextAttempt, TimeSpan.FromSeconds(1));
        Assert.Contains("451 4.3.0 Try again later", first.LastError, StringComparison.Ordinal);

        await AdvanceAsync(TimeSpan.FromMinutes(5));
        var second = await DeferredAsync(id, attempts: 2);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(10), second.NextAttempt, TimeSpan.FromSeconds(1));
        Assert.Empty(_node.Inbox("ann@company.com"));

        // Past the delay-warning age (0.2 h = 12 min): the sender is told once that it is still trying.
        await AdvanceAsync(TimeSpan.FromMinutes(10));
        var third = await DeferredAsync(id, attempts: 3);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(20), third.NextAttempt, TimeSpan.FromSeconds(1));
        var warning = await ReadAsync(Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1)));
        Assert.Equal("Delayed Mail (still being retried)", warning.Subject);
        Assert.Equal("delayed", Assert.IsType<MultipartReport>(warning.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1]["Action"]);

        refusing = false;
        await AdvanceAsync(TimeSpan.FromMinutes(20));
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id) is null, "the message was delivered");
        Assert.Single(_sink.Messages);
        Assert.Single(_node.Inbox("ann@company.com"));
    }

    [Fact]
    public async Task QueueApi_ShowsWaitingMail_AndRetryHoldReleaseDelete_AreAuditedAndLimitedToReadWriteAdmins()
    {
        _sink.RecipientReply = _ => "451 4.3.0 Try again later";
        var id = await _node.EnqueueAsync("ann@company.com", ["partner@example.org"]);
        await DeferredAsync(id, attempts: 1);

        var listed = Assert.Single((await _admin.GetFromJsonAsync<List<QueueMessageDto>>("api/v1/queue"))!);
        Assert.Equal(id, listed.Id);
        Assert.Equal("ann@company.com", listed.From);
        Assert.False(listed.Held);
        Assert.True(listed.Size > 0);
        var recipient = Assert.Single(listed.Recipients);
        Assert.Equal(("partner@example.org", "deferred", 1), (recipient.Address, recipient.State, recipient.Attempts));
        Assert.NotNull(recipient.NextAttempt);
        Assert.Contains("451 4.3.0", recipient.LastError, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/admins/local", new { name = "auditor", password = "Auditor-Password-1", role = "server-ro" })).StatusCode);
        using (var auditor = await _node.SignedInClientAsync("auditor", "Auditor-Password-1"))
        {
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("api/v1/queue")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync($"api/v1/queue/{id}/retry", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await auditor.DeleteAsync($"api/v1/queue/{id}")).StatusCode);
            Assert.NotNull(_node.Queue().Get(id));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"api/v1/queue/{id}/hold", null)).StatusCode);
        Assert.True((await _admin.GetFromJsonAsync<List<QueueMessageDto>>("api/v1/queue"))!.Single().Held);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"api/v1/queue/{id}/release", null)).StatusCode);
        _sink.RecipientReply = _ => "250 2.1.5 Ok";
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsync($"api/v1/queue/{id}/retry", null)).StatusCode);
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id) is null, "Retry now delivered the message");

        var gone = await _admin.DeleteAsync($"api/v1/queue/{id}");
        Assert.Equal("message-not-found", (await Problem.ReadAsync(gone, HttpStatusCode.NotFound)).Code);
        Assert.Equal("message-not-found", (await Problem.ReadAsync(await _admin.PostAsync("api/v1/queue/..%2F..%2Fnode.db/retry", null), HttpStatusCode.NotFound)).Code);

        _sink.RecipientReply = _ => "451 4.3.0 Try again later";
        var other = await _node.EnqueueAsync("ann@company.com", ["partner@example.org"]);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"api/v1/queue/{other}")).StatusCode);
        Assert.Null(_node.Queue().Get(other));

        var audit = await _admin.GetFromJsonAsync<AuditPageDto>("api/v1/audit?action=queue");
        Assert.Contains(audit!.Items, e => e.Action == "queue.hold" && e.Target == id);
        Assert.Contains(audit.Items, e => e.Action == "queue.delete" && e.Target == other && e.Result == "success");
    }

    [Fact]
    public async Task RetrySchedule_DoublesUpToTheMaximum()
    {
        var options = new QueueOptions();
        Assert.Equal(
            [5, 10, 20, 40, 60, 60, 60],
            Enumerable.Range(1, 7).Select(a => options.RetryDelay(a).TotalMinutes).ToArray());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task MailThatLoops_IsStoppedAfterFiftyHops_AndBounced()
    {
        var received = string.Concat(Enumerable.Range(0, DeliveryAgent.MaxHops + 1).Select(i => $"Received: from hop{i}.test by hop{i + 1}.test; Fri, 27 Nov 2026 12:00:00 +0000\r\n"));
        await _node.EnqueueAsync("ann@company.com", ["bob@company.com"], received + "Subject: loop\r\n\r\nround and round\r\n");

        var bounce = await ReadAsync(Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1)));
        Assert.Equal("5.4.6", Assert.IsType<MultipartReport>(bounce.Body).OfType<MessageDeliveryStatus>().Single().StatusGroups[1]["Status"]);
        Assert.Empty(_node.Inbox("bob@company.com"));
    }

    [Fact]
    public async Task HeldMail_StaysQueued_AcrossARestart_AndIsDeliveredOnceWhenReleased()
    {
        _sink.RecipientReply = _ => "451 4.3.0 Try again later";
        var id = await _node.EnqueueAsync("someone@example.org", ["partner@example.org", "ann@company.com"]);
        await DeferredAsync(id, attempts: 1);
        Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1));
        Assert.True(await _node.Queue().SetHeldAsync(id, held: true, CancellationToken.None));

        await _node.RestartAsync();
        _sink.RecipientReply = _ => "250 2.1.5 Ok";
        Assert.True(_node.Queue().Get(id)!.Held);
        await AdvanceAsync(TimeSpan.FromHours(1));
        Assert.NotNull(_node.Queue().Get(id));
        Assert.Empty(_sink.Messages);

        Assert.True(await _node.Queue().SetHeldAsync(id, held: false, CancellationToken.None));
        await MailTestExtensions.WaitUntilAsync(() => _node.Queue().Get(id) is null, "the released message was delivered");
        Assert.Single(_sink.Messages);
        Assert.Single(_node.Inbox("ann@company.com"));
    }

    [Fact]
    public async Task AMessageNeverCommitted_IsRemovedAtTheNextStart_AndNeverDelivered()
    {
        var spool = _node.Services.GetRequiredService<IMessageSpool>();
        var writer = await spool.CreateAsync(CancellationToken.None);
        // Larger than what the queue keeps inline, so it goes to a file while it arrives.
        await writer.Content.WriteAsync(System.Text.Encoding.ASCII.GetBytes("Subject: half\r\n\r\n" + new string('x', MailQueue.InlineLimit + 1000)));
        await writer.Content.FlushAsync();
        var path = _node.Queue().ContentPath(writer.QueueId);
        Assert.True(File.Exists(path));

        // As after a crash: the file is there, its commit never happened.
        await _node.RestartAsync();

        Assert.False(File.Exists(path));
        Assert.Empty(_node.Queue().List());
        Assert.Contains(_node.Logs.GetSnapshot(), r => r.Message.Contains("never committed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALowDisk_RefusesNewMailAsStorageFull()
    {
        await _node.RestartAsync("--Queue:MinFreeMegabytes=1000000000");

        var spool = _node.Services.GetRequiredService<IMessageSpool>();
        await Assert.ThrowsAsync<MailStorageFullException>(async () => await spool.CreateAsync(CancellationToken.None));
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await _node.Services.GetRequiredService<DeliveryAgent>().RunDueAsync(CancellationToken.None);
    }

    private async Task<QueuedRecipient> DeferredAsync(string id, int attempts)
    {
        QueuedRecipient? recipient = null;
        try
        {
            await MailTestExtensions.WaitUntilAsync(
                () => (recipient = _node.Queue().Get(id)?.Recipients.FirstOrDefault(r => r.Address == "partner@example.org")) is { Attempts: var a } && a >= attempts,
                $"attempt {attempts} of {id}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} The node logged: {string.Join(" | ", _node.Logs.GetSnapshot().Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(r => r.Message + r.Exception))}", e);
        }

        Assert.Equal(attempts, recipient!.Attempts);
        Assert.Equal(RecipientState.Pending, recipient.State);
        return recipient;
    }

    private static async Task<MimeMessage> ReadAsync(string file) => await MimeMessage.LoadAsync(file);
}
