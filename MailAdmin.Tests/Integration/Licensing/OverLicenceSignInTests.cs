using System.Net;
using System.Net.Http.Json;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using static MailAdmin.Tests.Integration.Licensing.LicenceSteps;

namespace MailAdmin.Tests.Integration.Licensing;

/// <summary>
/// A server licensed for two mailboxes that holds three (manual, chapter 3): the one added last
/// cannot sign in to submission, the others can, and mail to all three is delivered.
/// </summary>
public sealed class OverLicenceSignInTests : IAsyncLifetime
{
    private const string U1 = "u1@company.com";
    private const string U2 = "u2@company.com";
    private const string U3 = "u3@company.com";
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("licensed", "--Licence:Seats=2");
        _admin = await _node.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains", new { name = "company.com" })).StatusCode);
        foreach (var user in new[] { U1, U2, U3 })
        {
            await CreateLocalUserAsync(_admin, user);
        }
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task SignIn_BeyondTheSeats_IsRefusedForExactlyTheMailboxAddedLast_WhoseMailIsStillDelivered_UntilASeatFrees()
    {
        var licence = await LicenceAsync(_admin);
        Assert.Equal(new LicenceDto(2, 3, 0, "over", "setting", null), licence.Summary);
        Assert.Equal([U3], licence.Beyond);

        // u3 is told why, with a permanent reply that names the licence.
        using (var client = await ConnectSubmissionAsync(_node))
        {
            var refused = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(U3, UserPassword));
            var reply = ServerReply(refused);
            Assert.Contains("5.7.0", reply, StringComparison.Ordinal);
            Assert.Contains("This server is licensed for 2 mailboxes and yours is beyond them", reply, StringComparison.Ordinal);
            Assert.Contains("mail to you is still delivered", reply, StringComparison.Ordinal);
            if (refused.InnerException is SmtpCommandException command)
            {
                Assert.Equal(SmtpStatusCode.AuthenticationInvalidCredentials, command.StatusCode);
            }
        }

        // u1 and u2 sign in and send, to u3 among others: nothing is refused or lost.
        foreach (var (sender, subject) in new[] { (U1, "from-u1"), (U2, "from-u2") })
        {
            using var client = await ConnectSubmissionAsync(_node);
            await client.AuthenticateAsync(sender, UserPassword);
            await client.SendAsync(Message(sender, U3, subject));
            await client.DisconnectAsync(quit: true);
        }

        var delivered = await _node.WaitForInboxAsync(U3, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(["from-u1", "from-u2"], delivered.Select(file => MimeKit.MimeMessage.Load(file).Subject).Order());

        // Deleting u1 frees a seat: u3 is within the seats and signs in.
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"api/v1/users/{U1}")).StatusCode);
        licence = await LicenceAsync(_admin);
        Assert.Equal(new LicenceDto(2, 2, 0, "full", "setting", null), licence.Summary);
        Assert.Empty(licence.Beyond);
        using (var client = await ConnectSubmissionAsync(_node))
        {
            await client.AuthenticateAsync(U3, UserPassword);
            await client.SendAsync(Message(U3, U2, "from-u3"));
            await client.DisconnectAsync(quit: true);
        }

        Assert.Single(await _node.WaitForInboxAsync(U2, 1, TimeSpan.FromSeconds(30)));
    }

    /// <summary>The server's reply as MailKit reports it: in the message, or in the command error within.</summary>
    private static string ServerReply(AuthenticationException refused) =>
        refused.InnerException is null ? refused.Message : $"{refused.Message} {refused.InnerException.Message}";
}
