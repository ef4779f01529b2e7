using System.Net;
using System.Text;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Infrastructure.Mail;

/// <summary>Queueing and reading mail on a test node, as its SMTP sessions and Dovecot would.</summary>
public static class MailTestExtensions
{
    /// <summary>Queues a message through the node's spool exactly as an SMTP session does after DATA.</summary>
    public static Task<string> EnqueueAsync(this TestNode node, string? sender, IReadOnlyList<string> recipients, string? content = null, string subject = "Hello") =>
        node.Services.EnqueueAsync(sender, recipients, content, subject);

    /// <summary>Queues a message through the spool of the node these services belong to (one that is still starting, say).</summary>
    public static async Task<string> EnqueueAsync(this IServiceProvider services, string? sender, IReadOnlyList<string> recipients, string? content = null, string subject = "Hello")
    {
        var spool = services.GetRequiredService<IMessageSpool>();
        await using var writer = await spool.CreateAsync(CancellationToken.None);
        content ??= $"Received: from client.test by node.test; Fri, 27 Nov 2026 12:00:00 +0000\r\nFrom: <{sender ?? "mailer-daemon@test"}>\r\nTo: <{recipients[0]}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@test>\r\n\r\nThe body of {subject}.\r\n";
        await writer.Content.WriteAsync(Encoding.UTF8.GetBytes(content));
        var envelope = new Envelope(
            sender is null ? null : MailPath.FromAddress(sender),
            recipients.Select(r => MailPath.FromAddress(r) ?? throw new ArgumentException(r)).ToList(),
            new SmtpClientInfo(IPAddress.Loopback, "client.test", SmtpPort.Incoming, Secure: false, AuthenticatedAs: null),
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        await writer.CommitAsync(envelope, CancellationToken.None);
        return writer.QueueId;
    }

    public static MailQueue Queue(this TestNode node) => node.Services.GetRequiredService<MailQueue>();

    /// <summary>Says the mailbox of <paramref name="address"/> lives on node <paramref name="homeServer"/>, as the distributed domain would tell this node.</summary>
    public static async Task SetHomeServerAsync(this TestNode node, string address, string homeServer)
    {
        var at = address.LastIndexOf('@');
        var (localPart, domain) = (address[..at], address[(at + 1)..]);
        await using var db = await node.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();
        var changed = await db.Users.Where(u => u.LocalPart == localPart && u.Domain.Name == domain)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.HomeServer, homeServer));
        if (changed != 1)
        {
            throw new InvalidOperationException($"{node.Name} has no user {address}.");
        }
    }

    /// <summary>The recipient <paramref name="address"/> of queued message <paramref name="id"/> once it has been tried <paramref name="attempts"/> times.</summary>
    public static async Task<QueuedRecipient> WaitForAttemptAsync(this TestNode node, string id, string address, int attempts)
    {
        QueuedRecipient? recipient = null;
        await WaitUntilAsync(
            () => (recipient = node.Queue().Get(id)?.Recipients.FirstOrDefault(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase))) is { Attempts: var a } && a >= attempts,
            $"{node.Name} tried {address} of {id} {attempts} times");
        return recipient!;
    }

    /// <summary>The files in a mailbox's <c>new/</c> folder (none when the Maildir does not exist yet).</summary>
    public static string[] Inbox(this TestNode node, string address)
    {
        var at = address.LastIndexOf('@');
        var folder = Path.Combine(node.DataDir, "mail", address[(at + 1)..], address[..at], "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    public static async Task<string[]> WaitForInboxAsync(this TestNode node, string address, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (node.Inbox(address).Length < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        return node.Inbox(address);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }
}
