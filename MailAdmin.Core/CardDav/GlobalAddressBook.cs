using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// The Global Address List as read-only CardDAV address books (RFC 6352), one per domain: what
/// a reader may list, the cards, queries, and sync (RFC 6578) through <see cref="SyncSnapshots"/>.
/// The cards are the list <see cref="GalService"/> gives every node, so every node serves the same
/// cards and ETags. A book a reader may not read answers exactly as one that does not exist.
/// </summary>
public sealed class GlobalAddressBook(IDbContextFactory<NodeDbContext> databases, GalService gal, SyncSnapshots snapshots)
{
    public const string Name = "Global Address List";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Version, IReadOnlyList<AddressBookCard> Cards)> _cards = new(StringComparer.Ordinal);

    /// <summary>The domains (ASCII) whose book the reader may read, in order.</summary>
    public async Task<IReadOnlyList<string>> DomainsAsync(AddressBookReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var names = await db.Domains.AsNoTracking().Select(d => d.Name).ToListAsync(cancellationToken);
        return [.. names.Where(name => MayRead(reader, name)).Order(StringComparer.Ordinal)];
    }

    /// <summary>A domain's book as it is now; <c>not-found</c> when it does not exist or the reader may not read it.</summary>
    public async Task<AddressBookView> OpenAsync(AddressBookReader reader, string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!DomainNames.TryNormalize(domain, out var ascii) || !MayRead(reader, ascii))
        {
            throw NotFound(domain);
        }

        IReadOnlyList<AddressBookCard> cards;
        try
        {
            cards = await CardsAsync(ascii, cancellationToken);
        }
        catch (MailAdminException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw NotFound(domain);
        }

        var displayName = reader.MailUser is null ? $"{Name} ({DomainNames.ToUnicode(ascii)})" : Name;
        return new AddressBookView(ascii, displayName, cards);
    }

    /// <summary>The domain's cards, written once per version of the list (a card is a vCard and a hash of it).</summary>
    private async Task<IReadOnlyList<AddressBookCard>> CardsAsync(string ascii, CancellationToken cancellationToken)
    {
        var (version, entries) = await gal.ListAsync(ascii, cancellationToken);
        if (_cards.TryGetValue(ascii, out var kept) && kept.Version == version)
        {
            return kept.Cards;
        }

        var cards = entries.Select(AddressBookCard.From).ToList();
        _cards[ascii] = (version, cards);
        return cards;
    }

    /// <summary>The book's current sync token; the node keeps its snapshot so the token can be synced from later.</summary>
    public Task<string> SyncTokenAsync(AddressBookView book, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(book);
        return snapshots.RememberAsync(book.Domain, book.Snapshot, cancellationToken);
    }

    /// <summary>
    /// What changed since <paramref name="syncToken"/> (empty: the first sync, so every card).
    /// With a <paramref name="limit"/> smaller than the changes, the first changes in name order
    /// are reported with a token for the state they lead to, and the next sync continues from it.
    /// </summary>
    public async Task<SyncResult> ChangesSinceAsync(AddressBookView book, string syncToken, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(syncToken);
        var from = syncToken.Length == 0
            ? AddressBookSnapshot.Empty
            : await snapshots.RecallAsync(book.Domain, syncToken, cancellationToken)
                ?? throw new DavPreconditionException(CardDavNames.ValidSyncToken,
                    "The sync token is unknown or expired on this server: sync again from an empty token (the client does this by itself).");
        var changes = from.ChangesTo(book.Snapshot);
        var changed = changes.Changed;
        var removed = changes.Removed;
        var to = book.Snapshot;
        var truncated = false;
        if (limit is { } n && changes.Count > n)
        {
            // Removals first: they are cheap for the client, and a later page never resurrects them.
            removed = [.. removed.Take(n)];
            changed = [.. changed.Take(n - removed.Count)];
            to = from.Apply(book.Snapshot, changed, removed);
            truncated = true;
        }

        var token = await snapshots.RememberAsync(book.Domain, to, cancellationToken);
        return new SyncResult([.. changed.Select(name => book.Find(name)!)], removed, token, truncated);
    }

    private static bool MayRead(AddressBookReader reader, string ascii) =>
        reader.MailUser is { } user
            ? MailAddresses.TryParse(user, out var address) && address.Domain == ascii
            : AccessPolicy.Allows(reader.Admin!, Permission.ViewUsers, ascii);

    private static MailAdminException NotFound(string domain) =>
        MailAdminException.NotFound("address-book-not-found", $"There is no address book '{domain}' that you may read: a user reads their own domain's Global Address List only.");
}
