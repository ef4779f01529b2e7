using System.Security.Cryptography;
using System.Text;

namespace MailAdmin.Core.CardDav;

/// <summary>What changed between two snapshots: names of cards new or different, and names gone.</summary>
public sealed record SnapshotChanges(IReadOnlyList<string> Changed, IReadOnlyList<string> Removed)
{
    public int Count => Changed.Count + Removed.Count;
}

/// <summary>
/// The state of an address book as a sync client may have seen it: the ETag of each card by
/// resource name. Its <see cref="Hash"/> is a hash of that content (the canonical text below),
/// so it is the collection's ctag and names its sync token: it changes exactly when a card
/// appears, disappears or changes, and the same content always gives the same token.
/// </summary>
public sealed class AddressBookSnapshot
{
    private const string Header = "mailadmin-carddav-snapshot 1";

    private readonly SortedDictionary<string, string> _etags;

    private AddressBookSnapshot(SortedDictionary<string, string> etags)
    {
        _etags = etags;
        Text = Canonical(etags);
        Hash = HashOf(Text);
    }

    public static AddressBookSnapshot Empty { get; } = new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Resource name → ETag (unquoted).</summary>
    public IReadOnlyDictionary<string, string> ETags => _etags;

    /// <summary>128 bits of SHA-256 over <see cref="Text"/>, in hex.</summary>
    public string Hash { get; }

    /// <summary>The canonical form: a header line, then "name ETag" per card in ordinal order of names.</summary>
    public string Text { get; }

    public static AddressBookSnapshot Of(IEnumerable<AddressBookCard> cards)
    {
        ArgumentNullException.ThrowIfNull(cards);
        var etags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var card in cards)
        {
            etags.TryAdd(card.Name, card.ETag);
        }

        return new AddressBookSnapshot(etags);
    }

    /// <summary>A snapshot from its canonical text; null when the text is not one, or does not hash to <paramref name="expectedHash"/>.</summary>
    public static AddressBookSnapshot? Parse(string text, string expectedHash)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Header)
        {
            return null;
        }

        var etags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !etags.TryAdd(line[..space], line[(space + 1)..]))
            {
                return null;
            }
        }

        var snapshot = new AddressBookSnapshot(etags);
        return snapshot.Hash == expectedHash ? snapshot : null;
    }

    /// <summary>What a client at this snapshot must fetch and delete to reach <paramref name="newer"/>.</summary>
    public SnapshotChanges ChangesTo(AddressBookSnapshot newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        var changed = newer._etags.Where(card => !_etags.TryGetValue(card.Key, out var etag) || etag != card.Value).Select(card => card.Key).ToList();
        var removed = _etags.Keys.Where(name => !newer._etags.ContainsKey(name)).ToList();
        return new SnapshotChanges(changed, removed);
    }

    /// <summary>
    /// This snapshot with some of the changes towards <paramref name="newer"/> applied: the state a
    /// client reaches when a sync report is cut short by its limit, so the next sync goes on from there.
    /// </summary>
    public AddressBookSnapshot Apply(AddressBookSnapshot newer, IEnumerable<string> changed, IEnumerable<string> removed)
    {
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removed);
        var etags = new SortedDictionary<string, string>(_etags, StringComparer.Ordinal);
        foreach (var name in changed)
        {
            etags[name] = newer._etags[name];
        }

        foreach (var name in removed)
        {
            etags.Remove(name);
        }

        return new AddressBookSnapshot(etags);
    }

    private static string Canonical(SortedDictionary<string, string> etags)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var (name, etag) in etags)
        {
            text.Append(name).Append(' ').Append(etag).Append('\n');
        }

        return text.ToString();
    }

    private static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16]);
}
