using System.Globalization;
using System.Net;
using System.Text;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// The trace header a server puts on top of every message it takes (RFC 5321 §4.4), with the
/// protocol names of RFC 3848: SMTP, ESMTP, then S for TLS and A for a signed-in client.
/// </summary>
internal static class ReceivedHeader
{
    public static string Protocol(bool esmtp, bool secure, bool authenticated) =>
        !esmtp ? "SMTP" : "ESMTP" + (secure ? "S" : string.Empty) + (authenticated ? "A" : string.Empty);

    /// <param name="peerNode">The member node a peer session proved to be: named in a comment, so a reader of the headers sees which node forwarded the message.</param>
    public static string Format(string heloName, IPAddress client, string hostName, string protocol, string queueId, MailPath? soleRecipient, DateTimeOffset at, string? peerNode = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var literal = client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"IPv6:{client}" : client.ToString();
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Received: from {heloName} ([{literal}])\r\n");
        if (peerNode is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\t(peer node {peerNode}, authenticated by its TLS client certificate)\r\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\tby {hostName} with {protocol} id {queueId}");
        if (soleRecipient is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\r\n\tfor <{soleRecipient}>");
        }

        return text.Append(CultureInfo.InvariantCulture, $"; {Rfc5322Date(at)}\r\n").ToString();
    }

    /// <summary>RFC 5322 §3.3: <c>Fri, 27 Nov 2026 21:02:24 +0000</c>.</summary>
    public static string Rfc5322Date(DateTimeOffset at)
    {
        var offset = at.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{at:ddd, dd MMM yyyy HH:mm:ss} {sign}{offset.Hours:00}{offset.Minutes:00}");
    }
}
