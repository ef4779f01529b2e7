using System.Net;
using System.Net.Http.Json;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// A whole node's mail path with a real MailKit client: its listeners, recipient policy,
/// submission authentication, queue and delivery, all as a mail client or server sees them.
/// </summary>
public sealed class NodeMailFlowTests : IAsyncLifetime
{
    private SmtpSink _sink = default!;
    private TestNode _node = default!;

    public async Task InitializeAsync()
    {
        _sink = SmtpSink.Start();
        _node = await TestNode.StartAsync("mailflow", $"--Smtp:RelayHost=127.0.0.1:{_sink.Port}");
        using var admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
        foreach (var user in new[] { "ann", "bob", "olga" })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/users", new { address = $"{user}@company.com", name = user, password = "User-Password-1" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/v1/domains/company.com/aliases", new { alias = "sales", target = "bob@company.com" })).StatusCode);
        Assert.True((await admin.PutAsJsonAsync("api/v1/users/olga@company.com", new { enabled = false })).IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task MailFromTheInternet_ToAMailboxAndAnAlias_IsDeliveredIntoTheirMaildirs()
    {
        using var client = await ConnectAsync(Endpoints.Incoming);
        await client.SendAsync(Message("partner@example.org", "ann@company.com", "sales@company.com"));

        Assert.Single(await _node.WaitForInboxAsync("ann@company.com", 1));
        var bob = Assert.Single(await _node.WaitForInboxAsync("bob@company.com", 1));
        var text = await File.ReadAllTextAsync(bob);
        Assert.Contains("Return-Path: <partner@example.org>", text, StringComparison.Ordinal);
        Assert.Contains("Received: from ", text, StringComparison.Ordinal);
        Assert.Contains("Subject: Plans", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nobody@company.com", "5.1.1")]
    [InlineData("olga@company.com", "5.2.1")]
    [InlineData("someone@example.org", "5.7.1")]
    [InlineData("ann%example.org@company.com", "5.1.1")]
    [InlineData("\"ann@example.org\"@company.com", "5.1.1")]
    public async Task TheIncomingPort_RefusesUnknownDisabledAndForeignRecipients_WithEnhancedCodes(string recipient, string status)
    {
        using var client = await ConnectAsync(Endpoints.Incoming);
        var message = Message("partner@example.org", "ann@company.com");
        message.To.Clear();
        message.To.Add(MailboxAddress.Parse(recipient));

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));

        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        Assert.StartsWith(status, refused.Message, StringComparison.Ordinal);
        Assert.Empty(_node.Queue().List());
    }

    [Fact]
    public async Task Submission_SignedIn_SendsOutThroughTheRelay_AndOnlyFromTheUsersOwnAddresses()
    {
        using var client = await ConnectAsync(Endpoints.Submission);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("ann@company.com", "wrong-password"));
        await client.AuthenticateAsync("ann@company.com", "User-Password-1");

        await client.SendAsync(Message("ann@company.com", "partner@example.org"));
        await MailTestExtensions.WaitUntilAsync(() => !_sink.Messages.IsEmpty, "the relay got the message");
        var relayed = Assert.Single(_sink.Messages);
        Assert.Equal("ann@company.com", relayed.Sender);
        Assert.Equal(["partner@example.org"], relayed.Recipients);

        var spoofed = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("bob@company.com", "partner@example.org")));
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, spoofed.ErrorCode);
    }

    [Fact]
    public async Task Submission_ADisabledUser_CannotSignIn()
    {
        using var client = await ConnectAsync(Endpoints.Submission);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("olga@company.com", "User-Password-1"));
    }

    private SmtpEndpoints Endpoints => _node.Services.GetRequiredService<SmtpEndpoints>();

    private async Task<SmtpClient> ConnectAsync(IPEndPoint endpoint)
    {
        // The node made itself a certificate in its data folder; trust exactly that one.
        using var own = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(_node.DataDir, "tls", "smtp.pfx"), null);
        var thumbprint = own.Thumbprint;
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", endpoint.Port, SecureSocketOptions.StartTls);
        return client;
    }

    private static MimeMessage Message(string from, params string[] to)
    {
        var message = new MimeMessage { Subject = "Plans" };
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in to)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Body = new TextPart("plain") { Text = "See you at nine." };
        return message;
    }
}
