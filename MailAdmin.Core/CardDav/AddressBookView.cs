namespace MailAdmin.Core.CardDav;

/// <summary>A query's answer: the matching cards, and whether the limit cut the list short.</summary>
public sealed record QueryResult(IReadOnlyList<AddressBookCard> Cards, bool Truncated);

/// <summary>A sync report's answer (RFC 6578): cards to fetch, names to delete, the token to come back with.</summary>
public sealed record SyncResult(IReadOnlyList<AddressBookCard> Changed, IReadOnlyList<string> Removed, string SyncToken, bool Truncated);

/// <summary>The Global Address List of one domain as a reader sees it now: its cards, in the list's order by name.</summary>
public sealed class AddressBookView
{
    private readonly Dictionary<string, AddressBookCard> _byName;

    public AddressBookView(string domain, string displayName, IReadOnlyList<AddressBookCard> cards)
    {
        ArgumentNullException.ThrowIfNull(cards);
        Domain = domain;
        DisplayName = displayName;
        _byName = new Dictionary<string, AddressBookCard>(StringComparer.Ordinal);
        var listed = new List<AddressBookCard>(cards.Count);
        foreach (var card in cards)
        {
            if (_byName.TryAdd(card.Name, card))
            {
                listed.Add(card);
            }
        }

        Cards = listed;
        Snapshot = AddressBookSnapshot.Of(listed);
    }

    /// <summary>The domain in ASCII form; also the book's path segment.</summary>
    public string Domain { get; }

    public string DisplayName { get; }

    public string Description => $"Everyone in {Domains.DomainNames.ToUnicode(Domain)}: read-only, administered from the directory service and the MailAdmin console.";

    public IReadOnlyList<AddressBookCard> Cards { get; }

    public AddressBookSnapshot Snapshot { get; }

    /// <summary>CalendarServer's getctag: the content hash, which changes exactly when a card does.</summary>
    public string CTag => Snapshot.Hash;

    public AddressBookCard? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The cards the filter matches, in the list's order; at most <paramref name="limit"/>.</summary>
    public QueryResult Query(CardFilter filter, int? limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matches = Cards.Where(filter.Matches);
        if (limit is not { } n)
        {
            return new QueryResult([.. matches], false);
        }

        var taken = matches.Take(n + 1).ToList();
        return taken.Count > n ? new QueryResult(taken[..n], true) : new QueryResult(taken, false);
    }
}
