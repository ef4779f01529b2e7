using System.Globalization;
using System.Text;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Mail.Storage;

/// <summary>
/// Mailboxes in Maildir format (<c>mail/&lt;domain&gt;/&lt;user&gt;/{tmp,new,cur}</c>), as
/// Dovecot reads them. A message is written to <c>tmp/</c>, synced, renamed into <c>new/</c>
/// and the directory synced. Its file name is made from the queue id and the recipient's
/// index, not from the clock, so a delivery repeated after a crash finds the first one and
/// does not deliver twice.
/// </summary>
public sealed class MaildirStore(NodeOptions node, SmtpOptions smtp, DirectorySyncGroup directorySyncs)
{
    private readonly string _host = SafeHost(smtp.HostName);

    /// <summary>The Maildir of <paramref name="localPart"/>@<paramref name="domain"/>.</summary>
    public string MailboxPath(string domain, string localPart) =>
        Path.Combine(node.MailDir, SafeSegment(domain.ToLowerInvariant()), SafeSegment(localPart));

    /// <summary>
    /// Delivers the message that <paramref name="openContent"/> reads to the mailbox, with
    /// <c>Return-Path:</c> and <c>Delivered-To:</c> first. True when delivered now, false when
    /// an earlier attempt had already delivered it.
    /// </summary>
    public async Task<bool> DeliverAsync(string mailbox, string deliveryKey, string? sender, string recipient, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        var name = $"{deliveryKey}.{_host}";
        var newDir = Path.Combine(mailbox, "new");
        var curDir = Path.Combine(mailbox, "cur");
        var tmpDir = Path.Combine(mailbox, "tmp");
        EnsureMaildir(mailbox, tmpDir, newDir, curDir);

        var final = Path.Combine(newDir, name);
        if (File.Exists(final) || Directory.EnumerateFiles(curDir, name + ":*").Any() || File.Exists(Path.Combine(curDir, name)))
        {
            return false;
        }

        var temporary = Path.Combine(tmpDir, name);
        await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None))
        {
            var header = Encoding.UTF8.GetBytes($"Return-Path: <{sender}>\r\nDelivered-To: {recipient}\r\n");
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await using (var input = openContent())
            {
                await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }

        File.Move(temporary, final, overwrite: false);
        await directorySyncs.SyncAsync(newDir).ConfigureAwait(false);
        return true;
    }

    /// <summary>The delivery key of one recipient of one queued message: time of arrival, queue id, index.</summary>
    public static string DeliveryKey(DateTimeOffset receivedAt, string queueId, int recipientIndex) =>
        string.Create(CultureInfo.InvariantCulture, $"{receivedAt.ToUnixTimeSeconds()}.Q{queueId}R{recipientIndex}");

    private static void EnsureMaildir(string mailbox, string tmp, string @new, string cur)
    {
        if (Directory.Exists(cur))
        {
            return;
        }

        var parent = Path.GetDirectoryName(mailbox)!;
        var existed = Directory.Exists(mailbox);
        DurableFiles.CreatePrivateDirectory(mailbox);
        DurableFiles.CreatePrivateDirectory(tmp);
        DurableFiles.CreatePrivateDirectory(@new);
        DurableFiles.CreatePrivateDirectory(cur);
        DurableFiles.SyncDirectory(mailbox);
        if (!existed)
        {
            DurableFiles.SyncDirectory(parent);
        }
    }

    /// <summary>A path segment that cannot climb out of its folder or name a hidden or special file.</summary>
    internal static string SafeSegment(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is '/' or '\\' or ':' or '%' or 0 || rune.Value < 32)
            {
                builder.Append(CultureInfo.InvariantCulture, $"%{rune.Value:X2}");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        var segment = builder.ToString();
        return segment.StartsWith('.') ? "%2E" + segment[1..] : segment;
    }

    // Maildir file names may not hold '/' or ':' (the flags separator); the convention escapes them.
    private static string SafeHost(string host) =>
        host.Replace("/", "\\057", StringComparison.Ordinal).Replace(":", "\\072", StringComparison.Ordinal);
}
