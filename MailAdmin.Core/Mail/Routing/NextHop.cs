using MailAdmin.Core.Distribution;

namespace MailAdmin.Core.Mail.Routing;

/// <summary>How a final recipient leaves this node.</summary>
public enum HopKind
{
    /// <summary>A mailbox on this node: written to its Maildir.</summary>
    Local,

    /// <summary>Another node of the distributed domain (the recipient's home, or the master for external mail), over SMTP with STARTTLS.</summary>
    Peer,

    /// <summary>The Internet: <c>Smtp:RelayHost</c> when set, else the domain's MX hosts.</summary>
    Internet,
}

/// <summary>
/// Where one recipient goes next. <see cref="Key"/> is what the queue keeps for a waiting
/// recipient, so that everything waiting for one node can be retried when it comes back.
/// </summary>
/// <param name="Target">The node's name for <see cref="HopKind.Peer"/>, the recipient's domain for <see cref="HopKind.Internet"/>, empty for <see cref="HopKind.Local"/>.</param>
/// <param name="Peer">The node as the distributed domain describes it; null when no member has that name (the hop is then unknown, and mail for it waits).</param>
public sealed record NextHop(HopKind Kind, string Target, PeerNode? Peer = null)
{
    public static NextHop Local { get; } = new(HopKind.Local, string.Empty);

    public string Key => Kind switch
    {
        HopKind.Peer => NodeKey(Target),
        HopKind.Internet => "internet:" + Target.ToLowerInvariant(),
        _ => "local",
    };

    /// <summary>The <see cref="Key"/> of every recipient waiting for node <paramref name="nodeName"/>.</summary>
    public static string NodeKey(string nodeName)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        return "node:" + nodeName.ToLowerInvariant();
    }

    /// <summary>The <see cref="Key"/> of every recipient waiting while mailbox <paramref name="address"/> is held by a migration.</summary>
    public static string HoldKey(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return "hold:" + address.ToLowerInvariant();
    }

    public static NextHop ToPeer(string nodeName, PeerNode? peer) => new(HopKind.Peer, nodeName, peer);

    public static NextHop ToInternet(string domain) => new(HopKind.Internet, domain);
}
