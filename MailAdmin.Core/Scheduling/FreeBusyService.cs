using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Scheduling;

/// <summary>The busy time of one calendar user over a range, as their home server computed it.</summary>
/// <param name="Address">The primary address of the mailbox.</param>
/// <param name="HomeServer">The node that holds the mailbox and computed the answer.</param>
public sealed record FreeBusyAnswer(string Address, FreeBusyRange Range, IReadOnlyList<BusyPeriod> Busy, string HomeServer, DateTimeOffset Stamp);

/// <summary>Who reads free/busy: a user of the domain (signed in with their mail password) or an administrator.</summary>
public abstract record FreeBusyReader
{
    public sealed record User(string Address) : FreeBusyReader;

    public sealed record Administrator(AdminPrincipal Principal) : FreeBusyReader;
}

/// <summary>
/// Free/busy for every user of the domain, whatever server their mailbox lives on (manual,
/// chapter 4.3): a mailbox homed here is answered from this node's <see cref="CalendarBook"/>;
/// any other is asked of its home server over the peer channel (<c>Calendar.FreeBusy</c>,
/// mutual TLS). A home server that cannot be reached is an error (<c>home-server-unreachable</c>),
/// never an empty calendar: "free" would be a lie a meeting planner acts on.
/// </summary>
public sealed class FreeBusyService(
    RecipientDirectory directory,
    NextHopRouter router,
    IClusterTopology topology,
    IPeerChannels channels,
    CalendarBook book,
    NodeOptions node,
    TimeProvider clock)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>The free/busy of <paramref name="address"/> for a reader, after checking that they may read it.</summary>
    public Task<FreeBusyAnswer> ReadAsync(FreeBusyReader reader, string address, FreeBusyRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var target = ParseAddress(address);
        switch (reader)
        {
            case FreeBusyReader.User user:
                var own = MailAddresses.Parse(user.Address).Domain;
                if (!string.Equals(own, target.Domain, StringComparison.Ordinal))
                {
                    throw MailAdminException.Forbidden($"You may read the free/busy of your own domain ({own}) only.");
                }

                break;
            case FreeBusyReader.Administrator admin:
                AccessPolicy.Demand(admin.Principal, Permission.ViewUsers, target.Domain);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(reader));
        }

        return GetAsync(target.ToString(), range, cancellationToken);
    }

    /// <summary>
    /// The free/busy of a user of this node's domains, without any check of who asks: for Core
    /// callers that checked already (a meeting planner, resource booking).
    /// </summary>
    /// <exception cref="MailAdminException"><c>unknown-address</c> (404), <c>home-server-unreachable</c> (503).</exception>
    public async Task<FreeBusyAnswer> GetAsync(string address, FreeBusyRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var target = ParseAddress(address);
        if (directory.Find(new MailPath(target.LocalPart, target.Domain)) is not RecipientTarget.Mailbox { Removed: false } mailbox)
        {
            throw MailAdminException.NotFound("unknown-address", $"{target} is not a user of this domain that has a calendar here: check the address (groups and lists have no free/busy).");
        }

        if (router.ForMailbox(mailbox).Kind == HopKind.Local)
        {
            return await LocalAsync(mailbox.Address, range, cancellationToken).ConfigureAwait(false);
        }

        return await RemoteAsync(mailbox, range, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The answer for a mailbox homed here, for this node's own readers and for its peers.</summary>
    internal async Task<FreeBusyAnswer> LocalAsync(string owner, FreeBusyRange range, CancellationToken cancellationToken)
    {
        var busy = await book.BusyAsync(owner, range, cancellationToken).ConfigureAwait(false);
        return new FreeBusyAnswer(owner, range, busy, node.Name, clock.GetUtcNow());
    }

    private async Task<FreeBusyAnswer> RemoteAsync(RecipientTarget.Mailbox mailbox, FreeBusyRange range, CancellationToken cancellationToken)
    {
        var home = mailbox.HomeServer;
        var peer = topology.FindPeer(home) ?? throw Unreachable(mailbox.Address, home, "it is not a member of the distributed domain as this server knows it");
        FreeBusyReply reply;
        try
        {
            reply = await channels.Calendar(peer.Name, peer.Host, peer.ClusterPort).FreeBusyAsync(
                new FreeBusyRequest { Address = mailbox.Address, StartUnixMs = range.Start.ToUnixTimeMilliseconds(), EndUnixMs = range.End.ToUnixTimeMilliseconds() },
                deadline: DateTime.UtcNow + Deadline,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            var why = PeerFailures.Translate(e, $"{peer.Name} ({peer.Host}:{peer.ClusterPort})").Message;
            throw Unreachable(mailbox.Address, home, why);
        }

        if (reply.Refusal is { } refusal)
        {
            var kind = Enum.TryParse<ErrorKind>(refusal.Kind, out var parsed) ? parsed : ErrorKind.Unavailable;
            throw new MailAdminException(kind, refusal.Code, $"{home}, the home server of {mailbox.Address}, refused: {refusal.Message}");
        }

        var busy = reply.Busy
            .Select(p => new BusyPeriod(
                DateTimeOffset.FromUnixTimeMilliseconds(p.StartUnixMs),
                DateTimeOffset.FromUnixTimeMilliseconds(p.EndUnixMs),
                p.Type == BusyType.Tentative ? BusyKind.Tentative : BusyKind.Busy))
            .ToList();

        // What a peer sends is checked as if it were this node's: inside the range, merged.
        return new FreeBusyAnswer(mailbox.Address, range, BusyPeriods.Merge(busy, range), home, clock.GetUtcNow());
    }

    private static MailAdminException Unreachable(string address, string home, string why) =>
        new(ErrorKind.Unavailable, "home-server-unreachable",
            $"The mailbox of {address} lives on {home}, which cannot answer now: {why.TrimEnd('.')}. Its free/busy is unknown, not free; try again when {home} is back.")
        {
            RetryAfter = TimeSpan.FromSeconds(30),
        };

    private static ParsedAddress ParseAddress(string address) =>
        MailAddresses.TryParse(address, out var parsed)
            ? parsed
            : throw MailAdminException.Invalid("invalid-address", $"'{(address.Length > 80 ? address[..80] : address)}' is not an e-mail address.");
}
