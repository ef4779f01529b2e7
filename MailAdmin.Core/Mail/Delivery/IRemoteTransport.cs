namespace MailAdmin.Core.Mail.Delivery;

/// <summary>What became of one recipient handed to another server.</summary>
public sealed record RemoteOutcome(string Recipient, bool Delivered, bool Permanent, string Reply);

/// <summary>Delivers to recipients outside this node: the Internet (MX) or a relay host; later a peer node.</summary>
public interface IRemoteTransport
{
    /// <summary>
    /// Sends the message that <paramref name="openContent"/> reads to <paramref name="recipients"/>, all of
    /// <paramref name="domain"/>, and says for each what happened. Never throws for a delivery
    /// failure: an unreachable server is a temporary failure of every recipient.
    /// </summary>
    Task<IReadOnlyList<RemoteOutcome>> SendAsync(string domain, string? sender, IReadOnlyList<string> recipients, Func<Stream> openContent, CancellationToken cancellationToken);
}
