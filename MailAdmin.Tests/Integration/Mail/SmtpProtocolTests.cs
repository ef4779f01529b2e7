using System.Net;
using System.Text;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Smtp;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>The SMTP session over a bare TCP client: exact bytes, pipelining, limits and attacks.</summary>
public sealed class SmtpProtocolTests : IAsyncLifetime
{
    private SmtpTestServer _server = default!;

    public async Task InitializeAsync() => _server = await SmtpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Ehlo_IncomingPort_AdvertisesExtensionsButNotAuth()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);

        var reply = await client.HelloAsync();

        Assert.StartsWith($"250-{SmtpTestServer.HostName} Hello client.test", reply, StringComparison.Ordinal);
        foreach (var keyword in new[] { "PIPELINING", "SIZE 10240000", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS", "SMTPUTF8" })
        {
            Assert.Contains($"250-{keyword}", reply.Replace("250 ", "250-", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("AUTH", reply, StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1 AUTH is not available on this port", await client.CommandAsync("AUTH PLAIN AGFsaWNlAHg="), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelinedGroup_AnsweredInOrder_AndQueued()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        await client.SendAsync("MAIL FROM:<sender@remote.example> BODY=8BITMIME\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<carol@example.com>\r\nDATA\r\n");

        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("550 5.1.1 <nobody@example.com>", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        var queued = await client.CommandAsync("Subject: hi\r\n\r\nHello\r\n.");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as Q\d+$", queued);

        var message = Assert.Single(_server.Spool.Messages);
        Assert.Equal(["bob@example.com", "carol@example.com"], message.Envelope.Recipients.Select(r => r.ToString()));
        Assert.Equal("sender@remote.example", message.Envelope.Sender!.ToString());
        Assert.Equal("Subject: hi\r\n\r\nHello\r\n", message.Body);
        Assert.Equal(SmtpPort.Incoming, message.Envelope.Client.Port);
        Assert.Equal(IPAddress.Loopback, message.Envelope.Client.Address);
    }

    [Fact]
    public async Task Data_ReceivedHeaderFirst_NamesClientServerAndQueueId()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        await SendMessageAsync(client, "bob@example.com", "Subject: trace\r\n\r\nbody\r\n");

        var message = Assert.Single(_server.Spool.Messages);
        Assert.Matches(
            $@"^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby {Regex(SmtpTestServer.HostName)} with ESMTP id {message.QueueId}\r\n\tfor <bob@example\.com>; \w{{3}}, \d{{2}} \w{{3}} \d{{4}} \d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}}\r\nSubject: trace\r\n",
            message.Text);
    }

    [Fact]
    public async Task Helo_PlainSmtp_TracedAsSmtpAndNoAuth()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);

        Assert.Equal($"250 {SmtpTestServer.HostName} Hello old.client", await client.CommandAsync("HELO old.client"));
        Assert.StartsWith("503 5.5.1 Bad sequence of commands: send EHLO", await client.CommandAsync("AUTH PLAIN"), StringComparison.Ordinal);
        Assert.StartsWith("501 5.5.4 Syntax: HELO <your host name>", await client.CommandAsync("HELO"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helo_ThenMessage_TracedWithSmtp()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.CommandAsync("HELO old.client");

        await SendMessageAsync(client, "bob@example.com", "Subject: old\r\n\r\nx\r\n");

        Assert.Contains(" with SMTP id ", Assert.Single(_server.Spool.Messages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_DotStuffedLines_AreUnstuffed()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        await SendMessageAsync(client, "bob@example.com", "Subject: dots\r\n\r\n..leading dot\r\n...\r\n.x\r\nend.\r\n");

        Assert.Equal("Subject: dots\r\n\r\n.leading dot\r\n..\r\nx\r\nend.\r\n", Assert.Single(_server.Spool.Messages).Body);
    }

    [Fact]
    public async Task Data_EightBitBody_KeptByteForByte()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        var body = "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln — ünïcödé ✓\r\n"u8.ToArray()
            .Concat(new byte[] { 0xFF, 0xFE, 0x80, (byte)'\r', (byte)'\n' }).ToArray();

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@remote.example> BODY=8BITMIME"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<bob@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync([.. body, .. ".\r\n"u8.ToArray()]);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(), StringComparison.Ordinal);

        var content = Assert.Single(_server.Spool.Messages).Content;
        Assert.Equal(body, content[^body.Length..]);
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\n")]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\r")]
    [InlineData("\r\n.\rX\r\n")]
    public async Task Data_SmugglingVariant_NeverEndsData_NorRunsTheCommandsAfterIt(string fakeEnd)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<bob@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);

        await client.SendAsync($"Subject: real\r\n\r\nreal body{fakeEnd}MAIL FROM:<admin@example.com>\r\nRCPT TO:<carol@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n");

        // One reply, for the whole data: the smuggled commands are message text, and refused with it.
        Assert.StartsWith("550 5.6.11 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Empty(_server.Spool.Messages);
    }

    [Fact]
    public async Task StartTls_CommandsPipelinedInClear_AreDiscarded()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        await client.SendAsync("STARTTLS\r\nMAIL FROM:<injected@remote.example>\r\n");
        Assert.StartsWith("220 2.0.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
        await client.StartTlsAsync();

        var hello = await client.HelloAsync();
        Assert.StartsWith("250-", hello, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", hello, StringComparison.Ordinal);

        // Had the injected MAIL been run, this RCPT would be taken.
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<bob@example.com>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTls_ForgetsTheEhloSaidInClear()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        Assert.StartsWith("220", await client.CommandAsync("STARTTLS"), StringComparison.Ordinal);
        await client.StartTlsAsync();

        Assert.StartsWith("503 5.5.1 Bad sequence of commands: send EHLO", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        await client.HelloAsync();
        Assert.StartsWith("503 5.5.1 Bad sequence of commands: TLS is already active", await client.CommandAsync("STARTTLS"), StringComparison.Ordinal);
        await SendMessageAsync(client, "bob@example.com", "Subject: secure\r\n\r\nx\r\n");
        Assert.Contains(" with ESMTPS id ", Assert.Single(_server.Spool.Messages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_TooLong_RefusedAndSkipped()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        await client.SendAsync("NOOP " + new string('x', 5000) + "\r\nNOOP\r\n");

        Assert.StartsWith("500 5.5.2 Line too long: a command line may have at most 512 octets", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_OfExactly512Octets_IsTaken()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);

        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP " + new string('x', 512 - 7)), StringComparison.Ordinal);
        Assert.StartsWith("500 5.5.2", await client.CommandAsync("NOOP " + new string('x', 512 - 6)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_BareLf_RefusedNotRun()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);

        await client.SendAsync("EHLO client.test\n");

        Assert.StartsWith("500 5.5.2 Syntax error: bare <CR> or <LF>", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_UnknownAndOutOfSequence_Refused()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);

        Assert.StartsWith("500 5.5.1", await client.CommandAsync("FROB"), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        await client.HelloAsync();
        Assert.StartsWith("503 5.5.1 Bad sequence of commands: send MAIL FROM first", await client.CommandAsync("RCPT TO:<bob@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<>"), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1 Bad sequence of commands: a MAIL transaction is already open", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("RSET"), StringComparison.Ordinal);
        Assert.StartsWith("252 2.5.2", await client.CommandAsync("VRFY bob"), StringComparison.Ordinal);
        Assert.StartsWith("214 2.0.0", await client.CommandAsync("HELP"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.StartsWith("221 2.0.0", await client.CommandAsync("QUIT"), StringComparison.Ordinal);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Data_AllRecipientsRefused_554()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        Assert.StartsWith("550 5.7.1", await client.CommandAsync("RCPT TO:<someone@foreign.example>"), StringComparison.Ordinal);

        Assert.StartsWith("554 5.5.1 No valid recipients", await client.CommandAsync("DATA"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@remote.example> SIZE=10240001", "552 5.3.4 Message too big: the limit is 10240000 octets")]
    [InlineData("MAIL FROM:<a@remote.example> SIZE=big", "501 5.5.4 Syntax: SIZE=<octets>")]
    [InlineData("MAIL FROM:<a@remote.example> BODY=BINARYMIME", "501 5.5.4")]
    [InlineData("MAIL FROM:<a@remote.example> RET=HDRS", "555 5.5.4 Unsupported parameter RET")]
    [InlineData("MAIL FROM:a@remote.example", "501 5.1.7 Bad sender address syntax: the address must be written in angle brackets")]
    [InlineData("MAIL FROM:<a b@remote.example>", "501 5.1.7")]
    [InlineData("MAIL FROM:<a@remote..example>", "501 5.1.7")]
    [InlineData("MAIL FROM:<@remote.example>", "501 5.1.7")]
    [InlineData("MAIL FROM:<müller@remote.example>", "553 5.6.7")]
    [InlineData("MAIL TO:<a@remote.example>", "501 5.5.4 Syntax: MAIL FROM:<address>")]
    public async Task Mail_BadArguments_Refused(string command, string expected)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@remote.example> SIZE=10240000", "RCPT TO:<bob@example.com>", "bob@example.com")]
    [InlineData("MAIL FROM: <a@remote.example>", "RCPT TO:<@relay.one,@relay.two:bob@example.com>", "bob@example.com")]
    [InlineData("MAIL FROM:<a@remote.example>", "RCPT TO:<\"user@foreign\"@example.com>", "\"user@foreign\"@example.com")]
    [InlineData("MAIL FROM:<a@remote.example>", "RCPT TO:<user%host@example.com>", "user%host@example.com")]
    [InlineData("MAIL FROM:<a@remote.example>", "RCPT TO:<bob@[127.0.0.1]>", "bob@[127.0.0.1]")]
    [InlineData("MAIL FROM:<a@remote.example>", "RCPT TO:<Postmaster>", "postmaster@mx.test.example")]
    [InlineData("MAIL FROM:<a@remote.example>", "RCPT TO:<bob@BÜCHER.example>", "bob@xn--bcher-kva.example")]
    [InlineData("MAIL FROM:<a@remote.example> SMTPUTF8", "RCPT TO:<müller@example.com>", "müller@example.com")]
    public async Task Rcpt_PathForms_ReachThePolicyNormalised(string mail, string rcpt, string recipient)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        Assert.StartsWith("250 2.1.0", await client.CommandAsync(mail), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await client.CommandAsync(rcpt), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("Subject: x\r\n\r\nx\r\n."), StringComparison.Ordinal);

        Assert.Equal(recipient, Assert.Single(Assert.Single(_server.Spool.Messages).Envelope.Recipients).ToString());
    }

    [Theory]
    [InlineData("RCPT TO:<>", "501 5.1.3")]
    [InlineData("RCPT TO:<bob@example.com> NOTIFY=NEVER", "555 5.5.4")]
    [InlineData("RCPT TO:<bob@>", "501 5.1.3")]
    [InlineData("RCPT TO:<@a:bob@example.com", "501 5.1.3")]
    [InlineData("RCPT TO:<bob@[999.1.1.1]>", "501 5.1.3")]
    [InlineData("RCPT TO:<müller@example.com>", "553 5.6.7")]
    public async Task Rcpt_BadArguments_Refused(string command, string expected)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        await client.CommandAsync("MAIL FROM:<a@remote.example>");

        Assert.StartsWith(expected, await client.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_LineOfTextTooLong_MessageRefusedSessionGoesOn()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        await client.CommandAsync("MAIL FROM:<a@remote.example>");
        await client.CommandAsync("RCPT TO:<bob@example.com>");
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync("Subject: long\r\n\r\n" + new string('x', 999) + "\r\n.");

        Assert.StartsWith("500 5.5.2 Message refused: a line of text is longer than 1000 octets", reply, StringComparison.Ordinal);
        Assert.Empty(_server.Spool.Messages);
        await SendMessageAsync(client, "bob@example.com", "Subject: ok\r\n\r\n" + new string('x', 998) + "\r\n");
        Assert.Single(_server.Spool.Messages);
    }

    [Fact]
    public async Task Data_FullDisk_452AndNothingQueued()
    {
        _server.Spool.Full = true;
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);
        await client.HelloAsync();
        await client.CommandAsync("MAIL FROM:<a@remote.example>");
        await client.CommandAsync("RCPT TO:<bob@example.com>");
        await client.CommandAsync("DATA");

        Assert.StartsWith("452 4.3.1 Insufficient system storage", await client.CommandAsync("Subject: x\r\n\r\nx\r\n."), StringComparison.Ordinal);
        Assert.Empty(_server.Spool.Messages);
    }

    [Fact]
    public async Task Errors_AtTheLimit_421AndClosed()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Incoming);

        await client.SendAsync(string.Concat(Enumerable.Repeat("BOGUS\r\n", 25)));

        for (var i = 0; i < 20; i++)
        {
            Assert.StartsWith("500 5.5.1", await client.ReadReplyAsync(), StringComparison.Ordinal);
        }

        Assert.StartsWith("421 4.7.0 Too many errors", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Submission_MailBeforeAuth_530()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        var hello = await client.HelloAsync();

        Assert.Contains("250-AUTH PLAIN LOGIN", hello, StringComparison.Ordinal);
        Assert.StartsWith("530 5.7.0 Authentication required", await client.CommandAsync("MAIL FROM:<alice@example.com>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_AuthPlainWithoutInitialResponse_Succeeds()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();

        Assert.Equal("334 ", await client.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("235 2.7.0", await client.CommandAsync(Base64($"\0{SmtpTestServer.AliceLogin}\0{SmtpTestServer.AlicePassword}")), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1 Bad sequence of commands: already authenticated", await client.CommandAsync("AUTH PLAIN"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<Alice.Smith@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<someone@foreign.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_AuthLogin_ChallengesAndSucceeds()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();

        Assert.Equal("334 VXNlcm5hbWU6", await client.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await client.CommandAsync(Base64(SmtpTestServer.AliceLogin)));
        Assert.StartsWith("235 2.7.0", await client.CommandAsync(Base64(SmtpTestServer.AlicePassword)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_AuthLoginWithInitialResponse_AsksOnlyThePassword()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();

        Assert.Equal("334 UGFzc3dvcmQ6", await client.CommandAsync("AUTH LOGIN " + Base64(SmtpTestServer.AliceLogin)));
        Assert.StartsWith("535 5.7.8", await client.CommandAsync(Base64("wrong")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AUTH PLAIN", "*", "501 5.0.0 Authentication cancelled")]
    [InlineData("AUTH LOGIN", "*", "501 5.0.0 Authentication cancelled")]
    [InlineData("AUTH PLAIN", "not base64!", "501 5.5.2")]
    [InlineData("AUTH PLAIN", "YWxpY2U=", "501 5.5.2 Malformed PLAIN response")]
    public async Task Submission_AuthResponse_CancelledOrMalformed(string command, string response, string expected)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();

        Assert.StartsWith("334", await client.CommandAsync(command), StringComparison.Ordinal);
        Assert.StartsWith(expected, await client.CommandAsync(response), StringComparison.Ordinal);
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<alice@example.com>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AUTH CRAM-MD5", "504 5.5.4")]
    [InlineData("AUTH PLAIN " + "AGJvYgB4", "535 5.7.8 Authentication credentials invalid")]
    [InlineData("AUTH PLAIN " + "ZXZlAGFsaWNlQGV4YW1wbGUuY29tAEFsaWNlLVNlY3JldC0x", "535 5.7.8 Authentication credentials invalid: signing in on behalf")]
    [InlineData("AUTH PLAIN " + "AG1vdmluZ0BleGFtcGxlLmNvbQB4", "454 4.7.0 Your mailbox is being moved")]
    public async Task Submission_AuthRefusals(string command, string expected)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MAIL FROM:<bob@example.com>", "553 5.7.1 Sender address rejected: <bob@example.com> is not one of the addresses of alice@example.com")]
    [InlineData("MAIL FROM:<>", "553 5.7.1")]
    public async Task Submission_SenderNotTheUsers_553(string command, string expected)
    {
        await using var client = await RawSmtpClient.ConnectAsync(_server.Submission);
        await client.HelloAsync();
        Assert.StartsWith("235", await client.CommandAsync("AUTH PLAIN " + Base64($"\0{SmtpTestServer.AliceLogin}\0{SmtpTestServer.AlicePassword}")), StringComparison.Ordinal);

        Assert.StartsWith(expected, await client.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_OverMaxSize_ReadToTheEndThen552()
    {
        await using var server = await SmtpTestServer.StartAsync(o => With(o, maxMessageSize: 2048));
        await using var client = await RawSmtpClient.ConnectAsync(server.Incoming);
        await client.HelloAsync();
        Assert.Contains("SIZE 2048", await client.HelloAsync(), StringComparison.Ordinal);
        await client.CommandAsync("MAIL FROM:<a@remote.example>");
        await client.CommandAsync("RCPT TO:<bob@example.com>");
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('y', 70) + "\r\n", 1000)) + ".");

        Assert.StartsWith("552 5.3.4 Message too big: the limit is 2048 octets", reply, StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Empty(server.Spool.Messages);
    }

    [Fact]
    public async Task Rcpt_BeyondMaxRecipients_452AndTheOthersDelivered()
    {
        await using var server = await SmtpTestServer.StartAsync(o => With(o, maxRecipients: 2));
        await using var client = await RawSmtpClient.ConnectAsync(server.Incoming);
        await client.HelloAsync();
        await client.CommandAsync("MAIL FROM:<a@remote.example>");

        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<alice@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<bob@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("452 4.5.3 Too many recipients", await client.CommandAsync("RCPT TO:<carol@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("Subject: x\r\n\r\nx\r\n."), StringComparison.Ordinal);

        Assert.Equal(2, Assert.Single(server.Spool.Messages).Envelope.Recipients.Count);
    }

    [Fact]
    public async Task IdleClient_421AndClosed()
    {
        await using var server = await SmtpTestServer.StartAsync(o => With(o, idleTimeout: TimeSpan.FromMilliseconds(300)));
        await using var client = await RawSmtpClient.ConnectAsync(server.Incoming);
        await client.HelloAsync();

        Assert.StartsWith("421 4.4.2 Timeout", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Sessions_BeyondTheLimit_TooldToComeBack()
    {
        await using var server = await SmtpTestServer.StartAsync(o => With(o, maxSessions: 1));
        await using var first = await RawSmtpClient.ConnectAsync(server.Incoming);

        await using var second = await RawSmtpClient.ConnectAsync(server.Incoming, readGreeting: false);

        Assert.StartsWith("421 4.7.0 Too many connections", await second.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await first.CommandAsync("NOOP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_OpenSessions_Told421ShuttingDown()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(server.Incoming);
        await client.HelloAsync();

        await server.StopAsync();

        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Start_PortInUse_NamesTheSetting()
    {
        var taken = _server.Incoming.Port;

        var e = await Assert.ThrowsAsync<InvalidSettingException>(() => SmtpTestServer.StartAsync(o => With(o, port: taken)));

        Assert.Equal("Smtp:Port", e.Setting);
        Assert.Contains($"port {taken} on 127.0.0.1 is in use", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_NonLocalClientBeforeStartTls_NoAuthOffered()
    {
        await using var server = await SmtpTestServer.StartAsync(authRule: new NothingIsLocal());
        await using var client = await RawSmtpClient.ConnectAsync(server.Submission);

        Assert.DoesNotContain("AUTH", await client.HelloAsync(), StringComparison.Ordinal);
        Assert.StartsWith("530 5.7.0 Must issue a STARTTLS command first", await client.CommandAsync("AUTH PLAIN " + Base64($"\0{SmtpTestServer.AliceLogin}\0{SmtpTestServer.AlicePassword}")), StringComparison.Ordinal);
        Assert.Empty(server.Authenticator.Attempts);

        Assert.StartsWith("220", await client.CommandAsync("STARTTLS"), StringComparison.Ordinal);
        await client.StartTlsAsync();
        Assert.Contains("250-AUTH PLAIN LOGIN", await client.HelloAsync(), StringComparison.Ordinal);
        Assert.StartsWith("235 2.7.0", await client.CommandAsync("AUTH PLAIN " + Base64($"\0{SmtpTestServer.AliceLogin}\0{SmtpTestServer.AlicePassword}")), StringComparison.Ordinal);
    }

    private static async Task SendMessageAsync(RawSmtpClient client, string recipient, string content)
    {
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@remote.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<{recipient}>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync(content + "."), StringComparison.Ordinal);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static SmtpOptions With(SmtpOptions o, long? maxMessageSize = null, int? maxRecipients = null, TimeSpan? idleTimeout = null, int? maxSessions = null, int? port = null) => new()
    {
        Port = port ?? o.Port,
        SubmissionPort = o.SubmissionPort,
        ListenAddress = o.ListenAddress,
        HostName = o.HostName,
        CertificatePath = o.CertificatePath,
        MaxMessageSize = maxMessageSize ?? o.MaxMessageSize,
        MaxRecipients = maxRecipients ?? o.MaxRecipients,
        IdleTimeout = idleTimeout ?? o.IdleTimeout,
        MaxSessions = maxSessions ?? o.MaxSessions,
    };

    /// <summary>Every client counts as remote, as on a real network.</summary>
    private sealed class NothingIsLocal : SmtpAuthRule
    {
        protected override bool IsLocal(IPAddress client) => false;
    }
}
