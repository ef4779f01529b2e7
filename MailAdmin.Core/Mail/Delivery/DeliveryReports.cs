using System.Globalization;
using System.Text;
using MailAdmin.Core.Mail.Queue;
using MimeKit;
using MimeKit.Utils;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>One recipient in a delivery status notification.</summary>
public sealed record ReportedRecipient(string Address, string? Original, string Status, string Diagnostic);

/// <summary>
/// Delivery status notifications (RFC 3464): a <c>multipart/report</c> with a human
/// explanation, a <c>message/delivery-status</c> part and the original message's headers,
/// from <c>MAILER-DAEMON</c> to the envelope sender. Bounces (<c>failed</c>) and delay
/// warnings (<c>delayed</c>) share the form.
/// </summary>
public static class DeliveryReports
{
    public static MimeMessage Build(string reportingHost, QueuedMessage original, IReadOnlyList<ReportedRecipient> recipients, bool delayed, Stream originalContent, DateTimeOffset now, DateTimeOffset retryUntil)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(recipients);
        var report = new MimeMessage();
        report.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{reportingHost}"));
        report.To.Add(MailboxAddress.Parse(original.Sender!));
        report.Subject = delayed ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender";
        report.Date = now;
        report.Headers.Add("Auto-Submitted", "auto-replied");
        report.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(reportingHost);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"This is the mail system at {reportingHost}.\r\n\r\n");
        text.Append(delayed
            ? "Your message could not be delivered yet to the recipients below. The mail system will keep trying; you do not need to send it again.\r\n\r\n"
            : "Your message could not be delivered to the recipients below. It has been given up on; check the addresses and the reasons, then send it again if needed.\r\n\r\n");
        foreach (var recipient in recipients)
        {
            text.Append(CultureInfo.InvariantCulture, $"<{recipient.Address}>: {recipient.Diagnostic}\r\n");
        }

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", $"dns; {reportingHost}" },
            { "X-MailAdmin-Queue-ID", original.Id },
            { "Arrival-Date", DateUtils.FormatDate(original.ReceivedAt) },
        };
        status.StatusGroups.Add(perMessage);
        foreach (var recipient in recipients)
        {
            var group = new HeaderList();
            if (recipient.Original is not null)
            {
                group.Add("Original-Recipient", $"rfc822; {recipient.Original}");
            }

            group.Add("Final-Recipient", $"rfc822; {recipient.Address}");
            group.Add("Action", delayed ? "delayed" : "failed");
            group.Add("Status", recipient.Status);
            group.Add("Diagnostic-Code", $"smtp; {Sanitize(recipient.Diagnostic)}");
            if (delayed)
            {
                group.Add("Will-Retry-Until", DateUtils.FormatDate(retryUntil));
            }

            status.StatusGroups.Add(group);
        }

        var headers = new MimePart("text", "rfc822-headers")
        {
            Content = new MimeContent(new MemoryStream(ReadHeaders(originalContent))),
            ContentTransferEncoding = ContentEncoding.SevenBit,
        };

        var multipart = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = text.ToString() },
            status,
            headers,
        };
        report.Body = multipart;
        return report;
    }

    /// <summary>The enhanced status code (RFC 3463) in an SMTP reply, or a generic one of the reply's class.</summary>
    public static string StatusOf(string reply, bool permanent)
    {
        var parts = reply.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts.Take(2))
        {
            if (part.Length >= 5 && part[0] is '2' or '4' or '5' && part[1] == '.' && part.Count(c => c == '.') == 2)
            {
                return part;
            }
        }

        return permanent ? "5.0.0" : "4.0.0";
    }

    private static string Sanitize(string value) => value.Replace('\r', ' ').Replace('\n', ' ');

    /// <summary>The original header block (up to the first empty line), at most 64 KB, with non-ASCII bytes kept as they are.</summary>
    private static byte[] ReadHeaders(Stream content)
    {
        var buffer = new MemoryStream();
        var lineStart = true;
        int b;
        while ((b = content.ReadByte()) >= 0 && buffer.Length < 64 * 1024)
        {
            if (lineStart && (b == '\r' || b == '\n'))
            {
                break;
            }

            buffer.WriteByte((byte)b);
            lineStart = b == '\n';
        }

        return buffer.ToArray();
    }
}
