using MailAdmin.Core.Distribution;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>Forwards mail to another node of the distributed domain.</summary>
public interface IPeerTransport
{
    /// <summary>
    /// Sends the message that <paramref name="openContent"/> reads to <paramref name="recipients"/>
    /// through <paramref name="peer"/> in one transaction, and says for each what happened. Never
    /// throws for a delivery failure: a peer that cannot be reached or trusted is a temporary
    /// failure of every recipient.
    /// </summary>
    Task<IReadOnlyList<RemoteOutcome>> SendAsync(PeerNode peer, string? sender, IReadOnlyList<string> recipients, Func<Stream> openContent, CancellationToken cancellationToken);
}
