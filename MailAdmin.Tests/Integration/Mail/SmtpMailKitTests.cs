using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailAdmin.Core.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>The listeners as a real mail program (MailKit) sees them.</summary>
public sealed class SmtpMailKitTests : IAsyncLifetime
{
    private SmtpTestServer _server = default!;

    public async Task InitializeAsync() => _server = await SmtpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Incoming_StartTls_MessageQueuedWithItsEnvelope()
    {
        using var client = await ConnectAsync(_server.Incoming.Port, SecureSocketOptions.StartTls);

        await client.SendAsync(Message("sender@remote.example", "bob@example.com", "Hello Bob")).WaitAsync(Timeouts.Operation);

        var stored = Assert.Single(_server.Spool.Messages);
        Assert.Equal("sender@remote.example", stored.Envelope.Sender?.ToString());
        Assert.Equal("bob@example.com", Assert.Single(stored.Envelope.Recipients).ToString());
        Assert.True(stored.Envelope.Client.Secure);
        Assert.Equal(SmtpPort.Incoming, stored.Envelope.Client.Port);
        Assert.Contains(" with ESMTPS id ", stored.Text, StringComparison.Ordinal);
        var parsed = await MimeMessage.LoadAsync(new MemoryStream(stored.Content));
        Assert.Equal("Hello Bob", parsed.Subject);
        Assert.Single(parsed.Headers, h => h.Id == HeaderId.Received);
    }

    [Fact]
    public async Task Incoming_UnknownRecipient_550WithTheReason()
    {
        using var client = await ConnectAsync(_server.Incoming.Port, SecureSocketOptions.None);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("sender@remote.example", "nobody@example.com", "x")));

        Assert.Equal(SmtpStatusCode.MailboxUnavailable, e.StatusCode);
        Assert.Contains("no such mailbox", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Spool.Messages);
    }

    [Fact]
    public async Task Incoming_EightBitBodyAndLeadingDots_ArriveIntact()
    {
        using var client = await ConnectAsync(_server.Incoming.Port, SecureSocketOptions.None);
        var message = Message("sender@remote.example", "bob@example.com", "Grüße");
        var text = "Grüße aus Köln\r\n.\r\n..two dots\r\n.one dot\r\nlast line";
        message.Body = new TextPart("plain") { Text = text, ContentTransferEncoding = ContentEncoding.EightBit };

        await client.SendAsync(message).WaitAsync(Timeouts.Operation);

        var parsed = await MimeMessage.LoadAsync(new MemoryStream(Assert.Single(_server.Spool.Messages).Content));
        Assert.Equal(text.ReplaceLineEndings("\n"), parsed.TextBody?.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal("Grüße", parsed.Subject);
    }

    [Fact]
    public async Task Incoming_MessageOverTheSize_552()
    {
        await using var server = await SmtpTestServer.StartAsync(o => new SmtpOptions
        {
            Port = 0,
            SubmissionPort = 0,
            ListenAddress = o.ListenAddress,
            HostName = o.HostName,
            CertificatePath = o.CertificatePath,
            MaxMessageSize = 4096,
        });
        using var client = await ConnectAsync(server.Incoming.Port, SecureSocketOptions.None);
        var message = Message("sender@remote.example", "bob@example.com", "big");
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("0123456789 abcdefghijklmnopqrstuvwxyz\r\n", 500)) };

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));

        Assert.Equal(SmtpStatusCode.ExceededStorageAllocation, e.StatusCode);
        Assert.Empty(server.Spool.Messages);
    }

    [Fact]
    public async Task Incoming_FullDisk_452()
    {
        _server.Spool.Full = true;
        using var client = await ConnectAsync(_server.Incoming.Port, SecureSocketOptions.None);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("sender@remote.example", "bob@example.com", "x")));

        Assert.Equal(SmtpStatusCode.InsufficientStorage, e.StatusCode);
        Assert.Contains("Insufficient system storage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_StartTlsThenAuthPlain_SendsAnywhere()
    {
        using var client = await ConnectAsync(_server.Submission.Port, SecureSocketOptions.StartTls);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);

        await client.AuthenticateAsync(SmtpTestServer.AliceLogin, SmtpTestServer.AlicePassword).WaitAsync(Timeouts.Operation);
        await client.SendAsync(Message("alice@example.com", "friend@elsewhere.example", "Out")).WaitAsync(Timeouts.Operation);

        var stored = Assert.Single(_server.Spool.Messages);
        Assert.Equal(SmtpTestServer.AliceLogin, stored.Envelope.Client.AuthenticatedAs);
        Assert.Equal(SmtpPort.Submission, stored.Envelope.Client.Port);
        Assert.Contains(" with ESMTPSA id ", stored.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_AuthLogin_Works()
    {
        using var client = await ConnectAsync(_server.Submission.Port, SecureSocketOptions.StartTls);
        client.AuthenticationMechanisms.Remove("PLAIN");

        await client.AuthenticateAsync(SmtpTestServer.AliceLogin, SmtpTestServer.AlicePassword).WaitAsync(Timeouts.Operation);

        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Submission_WrongPassword_535()
    {
        using var client = await ConnectAsync(_server.Submission.Port, SecureSocketOptions.StartTls);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(SmtpTestServer.AliceLogin, "wrong"));
    }

    [Fact]
    public async Task Submission_SomeoneElsesSender_553()
    {
        using var client = await ConnectAsync(_server.Submission.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(SmtpTestServer.AliceLogin, SmtpTestServer.AlicePassword).WaitAsync(Timeouts.Operation);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("ceo@example.com", "friend@elsewhere.example", "Spoof")));

        Assert.Equal(SmtpStatusCode.MailboxNameNotAllowed, e.StatusCode);
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, e.ErrorCode);
    }

    [Fact]
    public async Task Submission_LoopbackWithoutTls_MayAuthenticate()
    {
        using var client = await ConnectAsync(_server.Submission.Port, SecureSocketOptions.None);

        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(SmtpTestServer.AliceLogin, SmtpTestServer.AlicePassword).WaitAsync(Timeouts.Operation);
        await client.SendAsync(Message("alice@example.com", "bob@example.com", "Local")).WaitAsync(Timeouts.Operation);

        Assert.Contains(" with ESMTPA id ", Assert.Single(_server.Spool.Messages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneConnection_ManyMessages_AllQueued()
    {
        using var client = await ConnectAsync(_server.Incoming.Port, SecureSocketOptions.None);

        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(Message("sender@remote.example", "bob@example.com", $"Message {i}")).WaitAsync(Timeouts.Operation);
        }

        Assert.Equal(20, _server.Spool.Messages.Count);
        Assert.Equal(20, _server.Spool.Messages.Select(m => m.QueueId).Distinct().Count());
    }

    [Fact]
    public async Task SelfSignedCertificate_MadeOnceOwnerOnly_ReusedAtNextStart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-smtp-cert-{Guid.NewGuid():N}");
        var pfx = Path.Combine(dataDir, "tls", "smtp.pfx");
        string firstThumbprint;
        await using (var first = await SmtpTestServer.StartAsync(dataDir: dataDir, sharedCertificate: false))
        {
            Assert.True(File.Exists(pfx));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pfx));
            }

            using var stored = X509CertificateLoader.LoadPkcs12FromFile(pfx, null);
            firstThumbprint = stored.Thumbprint;
            Assert.True(stored.MatchesHostname(SmtpTestServer.HostName));
            Assert.True(await PresentsAsync(first.Incoming.Port, firstThumbprint));
        }

        try
        {
            await using var second = await SmtpTestServer.StartAsync(dataDir: dataDir, sharedCertificate: false);
            Assert.True(await PresentsAsync(second.Incoming.Port, firstThumbprint));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Whether STARTTLS on <paramref name="port"/> succeeds for a client that trusts only the certificate <paramref name="thumbprint"/>.</summary>
    private static async Task<bool> PresentsAsync(int port, string thumbprint)
    {
        using var client = new SmtpClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
        };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls).WaitAsync(Timeouts.Operation);
        var secure = client.IsSecure;
        await client.DisconnectAsync(quit: true);
        return secure;
    }

    private static async Task<SmtpClient> ConnectAsync(int port, SecureSocketOptions security)
    {
        var client = new SmtpClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, certificate, _, _) => SmtpTestServer.IsTestCertificate(certificate),
            LocalDomain = "client.test",
        };
        await client.ConnectAsync("127.0.0.1", port, security).WaitAsync(Timeouts.Operation);
        return client;
    }

    private static MimeMessage Message(string from, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello,\r\n\r\nthis is a test.\r\n" };
        return message;
    }
}
