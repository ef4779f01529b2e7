using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>
/// One mail transaction with another server over a connected MailKit client, shared by the
/// Internet and the peer transports: every recipient gets its own outcome, and a reply to the
/// whole transaction (a refused sender, a refused message) becomes every recipient's.
/// </summary>
internal static class SmtpTransaction
{
    /// <summary>The message to send; null when the queued content is not a message (a permanent failure for the caller to report).</summary>
    public static async Task<(MimeMessage? Message, string? Error)> LoadAsync(Func<Stream> openContent, CancellationToken cancellationToken)
    {
        try
        {
            await using var content = openContent();
            return (await MimeMessage.LoadAsync(content, cancellationToken).ConfigureAwait(false), null);
        }
        catch (FormatException e)
        {
            return (null, $"554 5.6.0 The message cannot be read ({e.Message}).");
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> and quits. Throws what <see cref="IsConnectionFailure"/>
    /// recognises when the connection breaks before the server has answered the data: then
    /// nothing was delivered and the caller decides where to try next.
    /// </summary>
    public static async Task<IReadOnlyList<RemoteOutcome>> SendAsync(RecordingSmtpClient client, MimeMessage message, string? sender, IReadOnlyList<string> recipients, string server, CancellationToken cancellationToken)
    {
        try
        {
            var from = sender is null ? new MailboxAddress(string.Empty, string.Empty) : MailboxAddress.Parse(sender);
            var to = recipients.Select(MailboxAddress.Parse).ToList();
            try
            {
                await client.SendAsync(FormatOptions.Default, message, from, to, cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpCommandException) when (recipients.All(client.Refused.ContainsKey))
            {
                // Every recipient refused: MailKit gives up before DATA; each has its own reply.
            }

            var reply = $"250 2.0.0 Delivered to {server}.";
            var outcomes = recipients.Select(r => client.Refused.TryGetValue(r, out var refusal)
                ? new RemoteOutcome(r, false, refusal.StartsWith('5'), refusal)
                : new RemoteOutcome(r, true, false, reply)).ToList();
            await QuitAsync(client, cancellationToken).ConfigureAwait(false);
            return outcomes;
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            return All(recipients, permanent: code >= 500, $"{server} said: {code} {e.Message.Trim()}");
        }
    }

    public static bool IsConnectionFailure(Exception e) =>
        e is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException or SslHandshakeException;

    public static List<RemoteOutcome> All(IReadOnlyList<string> recipients, bool permanent, string reply) =>
        recipients.Select(r => new RemoteOutcome(r, false, permanent, reply)).ToList();

    /// <summary>After the server took the data, the message is its: a failing QUIT changes nothing.</summary>
    private static async Task QuitAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e) || e is SmtpCommandException)
        {
            // Delivered already; the connection is dropped either way.
        }
    }
}

/// <summary>Keeps going past refused recipients (MailKit's default throws at the first) and notes each reply.</summary>
internal class RecordingSmtpClient : SmtpClient
{
    public Dictionary<string, string> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(response);
        Refused[mailbox.Address] = $"{(int)response.StatusCode} {response.Response}";
    }
}
