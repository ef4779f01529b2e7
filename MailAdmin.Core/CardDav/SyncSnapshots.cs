using System.Text.RegularExpressions;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// Sync tokens (RFC 6578) without a database table. A token names an
/// <see cref="AddressBookSnapshot"/> by its content hash; whenever the node hands a token out it
/// keeps that snapshot as a small file, <c>DataDir/carddav/&lt;domain&gt;/&lt;hash&gt;.snapshot</c>.
/// A later sync with the token diffs the kept snapshot against the book as it is now: cards new
/// or changed, and names gone. Because the token is the content's hash, a book that changes and
/// changes back hands out its old token again, and nothing counts changes.
/// <para>
/// Bounds: at most <see cref="MaxPerAddressBook"/> snapshots per book (the least recently handed
/// out go first) and none older than <see cref="MaxAge"/>. A token whose snapshot is gone is
/// refused with <c>DAV:valid-sync-token</c>, and the client syncs everything again, as RFC 6578
/// section 3.2 intends. Each node keeps its own files: the list is replicated, the tokens are not.
/// </para>
/// </summary>
public sealed partial class SyncSnapshots(NodeOptions node, TimeProvider clock) : IDisposable
{
    public const int MaxPerAddressBook = 100;
    public const string TokenPrefix = "urn:x-mailadmin:carddav-sync:";
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    private const string Extension = ".snapshot";
    private readonly SemaphoreSlim _writing = new(1, 1);

    public string Folder => Path.Combine(node.DataDir, "carddav");

    public static string TokenOf(AddressBookSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return TokenPrefix + snapshot.Hash;
    }

    /// <summary>Keeps the snapshot (or marks it used again) and returns its token.</summary>
    public async Task<string> RememberAsync(string domain, AddressBookSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var folder = BookFolder(domain);
        var path = Path.Combine(folder, snapshot.Hash + Extension);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (File.Exists(path))
            {
                File.SetLastWriteTimeUtc(path, now);
            }
            else
            {
                Directory.CreateDirectory(folder);
                var temporary = path + ".tmp";
                await File.WriteAllTextAsync(temporary, snapshot.Text, cancellationToken);
                File.Move(temporary, path, overwrite: true);
                File.SetLastWriteTimeUtc(path, now);
                Prune(folder, now);
            }
        }
        finally
        {
            _writing.Release();
        }

        return TokenOf(snapshot);
    }

    /// <summary>The snapshot a token names, or null when the token is not ours, or its snapshot expired or was dropped.</summary>
    public async Task<AddressBookSnapshot?> RecallAsync(string domain, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || !HashPattern().IsMatch(token[TokenPrefix.Length..]))
        {
            return null;
        }

        var hash = token[TokenPrefix.Length..];
        var path = Path.Combine(BookFolder(domain), hash + Extension);
        try
        {
            if (clock.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(path) > MaxAge)
            {
                return null;
            }

            return AddressBookSnapshot.Parse(await File.ReadAllTextAsync(path, cancellationToken), hash);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Dispose() => _writing.Dispose();

    private string BookFolder(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);

        // Domain names in ASCII form are letters, digits, '-' and '.': nothing that leaves the folder.
        if (!DomainPattern().IsMatch(domain))
        {
            throw new ArgumentException($"'{domain}' is not a domain name in ASCII form.", nameof(domain));
        }

        return Path.Combine(Folder, domain);
    }

    private static void Prune(string folder, DateTime now)
    {
        var files = new DirectoryInfo(folder).GetFiles("*" + Extension).OrderByDescending(f => f.LastWriteTimeUtc).ToList();
        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            if (index >= MaxPerAddressBook || now - file.LastWriteTimeUtc > MaxAge)
            {
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                    // Another node process or a reader holds it: the next prune removes it.
                }
            }
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex HashPattern();

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")]
    private static partial Regex DomainPattern();
}
