using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Nodes;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Cluster;
using MailAdmin.Tests.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// The mail queue as each administrator sees it over the API. Mail arrives over real SMTP
/// (MailKit) for bob@company.com and carol@other.org, whose mailboxes are on node tokyo, a node
/// no member answers to yet: the mail waits in this node's queue, as it would for a node that is down.
/// </summary>
public sealed class QueueServiceTests : IAsyncLifetime
{
    private const string Password = "Admin-Password-1";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("queue test CA");
    private readonly TestClusterTopology _topology = new(NodeRole.Master, "hq");
    private X509Certificate2 _certificate = default!;
    private TestNode _node = default!;
    private HttpClient _admin = default!;

    public async Task InitializeAsync()
    {
        _certificate = _ca.Issue("hq");
        _node = await TestNode.StartAsync("hq", services =>
        {
            services.AddSingleton<IClusterTopology>(_topology);
            services.AddSingleton<IPeerRegistry>(_topology);
            services.AddSingleton<IClusterIdentity>(new TestClusterIdentity(_certificate, _ca.PublicRoot()));
        });
        _admin = await _node.SignedInClientAsync();
        foreach (var (domain, user) in new[] { ("company.com", "bob"), ("other.org", "carol") })
        {
            Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/domains", new { name = domain })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("api/v1/users", new { address = $"{user}@{domain}", name = user, password = "User-Password-1" })).StatusCode);
            await _node.SetHomeServerAsync($"{user}@{domain}", "tokyo");
        }

        await CreateAdminAsync("sales-admin", "domain-admin", "company.com");
        await CreateAdminAsync("org-admin", "domain-admin", "other.org");
        await CreateAdminAsync("auditor", "server-ro", null);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
        _certificate.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public async Task List_DomainAdmin_SeesOnlyTheirDomainsMessagesAndRecipients_AndCannotActOnThem()
    {
        var both = await SendAsync("partner@example.net", "bob@company.com", "carol@other.org");
        var otherOnly = await SendAsync("partner@example.net", "carol@other.org");
        await _node.WaitForAttemptAsync(both, "bob@company.com", 1);
        await _node.WaitForAttemptAsync(both, "carol@other.org", 1);
        await _node.WaitForAttemptAsync(otherOnly, "carol@other.org", 1);

        // Whole-server administrators see every message with every recipient.
        foreach (var (name, password) in new[] { ("admin", TestNode.AdminPassword), ("auditor", Password) })
        {
            using var server = await _node.SignedInClientAsync(name, password);
            Assert.Equal(
                [(both, "bob@company.com,carol@other.org"), (otherOnly, "carol@other.org")],
                Summary(await server.GetFromJsonAsync<List<QueueMessageDto>>("api/v1/queue")));
        }

        using var sales = await _node.SignedInClientAsync("sales-admin", Password);
        var seen = Assert.Single((await sales.GetFromJsonAsync<List<QueueMessageDto>>("api/v1/queue"))!);
        Assert.Equal((both, "partner@example.net"), (seen.Id, seen.From));
        var recipient = Assert.Single(seen.Recipients);
        Assert.Equal(("bob@company.com", "deferred"), (recipient.Address, recipient.State));

        using var org = await _node.SignedInClientAsync("org-admin", Password);
        Assert.Equal(
            [(both, "carol@other.org"), (otherOnly, "carol@other.org")],
            Summary(await org.GetFromJsonAsync<List<QueueMessageDto>>("api/v1/queue")));

        // Seeing is not acting: the queue's actions stay with whole-server read/write administrators.
        Assert.Equal("forbidden", (await Problem.ReadAsync(await sales.PostAsync($"api/v1/queue/{both}/retry", null), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await sales.PostAsync($"api/v1/queue/{both}/hold", null), HttpStatusCode.Forbidden)).Code);
        Assert.Equal("forbidden", (await Problem.ReadAsync(await sales.DeleteAsync($"api/v1/queue/{both}"), HttpStatusCode.Forbidden)).Code);
        var after = _node.Queue().Get(both);
        Assert.NotNull(after);
        Assert.False(after.Held);
        Assert.Equal(2, after.Recipients.Count);
    }

    private static List<(string Id, string Recipients)> Summary(List<QueueMessageDto>? messages) =>
        [.. messages!.Select(m => (m.Id, string.Join(',', m.Recipients.Select(r => r.Address).Order(StringComparer.Ordinal)))).OrderBy(m => m.Id, StringComparer.Ordinal)];

    /// <summary>Sends a message from the Internet to this node's incoming port; returns its queue id.</summary>
    private async Task<string> SendAsync(string from, params string[] to)
    {
        var endpoints = _node.Services.GetRequiredService<SmtpEndpoints>();
        var expected = endpoints.CertificateThumbprint;
        using var client = new SmtpClient
        {
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && CertificateThumbprints.Sha256(certificate) == expected,
            Timeout = 15_000,
        };
        await client.ConnectAsync("127.0.0.1", endpoints.Incoming.Port, SecureSocketOptions.StartTls);
        var message = new MimeMessage { Subject = "Plans" };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Body = new TextPart("plain") { Text = "See you at nine." };
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        // "2.0.0 Ok: queued as <id>"
        return reply[(reply.LastIndexOf(' ') + 1)..].Trim();
    }

    private async Task CreateAdminAsync(string name, string role, string? domain)
    {
        var created = await _admin.PostAsJsonAsync("api/v1/admins/local", new { name, password = Password, role, domain });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
