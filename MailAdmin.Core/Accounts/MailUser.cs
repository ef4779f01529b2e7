namespace MailAdmin.Core.Accounts;

/// <summary>Where a user comes from.</summary>
public enum UserSource
{
    /// <summary>Mapped from the domain's directory service; changed there, not here.</summary>
    Directory,

    /// <summary>Created on this node; stays on this node (manual, chapter 8).</summary>
    Local,
}

/// <summary>A mailbox owner of a domain.</summary>
public sealed class MailUser
{
    public int Id { get; set; }

    public int DomainId { get; set; }

    public Domains.MailDomain Domain { get; set; } = default!;

    /// <summary>Local part of the primary address (normalised; the domain gives the rest).</summary>
    public required string LocalPart { get; set; }

    public required string Name { get; set; }

    public UserSource Source { get; set; }

    /// <summary>The directory entry's stable identity (entryUUID, objectGUID).</summary>
    public string? DirectoryId { get; set; }

    public string? DirectoryDn { get; set; }

    /// <summary>uid or sAMAccountName.</summary>
    public string? Login { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Sign-in disabled by an administrator of this product, whatever the directory says.
    /// Set on the home server, replicated to every node; mail is still delivered.
    /// </summary>
    public bool DisabledByAdministrator { get; set; }

    /// <summary>Left out of the Global Address List (manual, chapter 8); set on the home server, replicated.</summary>
    public bool HiddenFromAddressList { get; set; }

    /// <summary>True when the directory no longer has the entry; the mailbox stays until an administrator deletes it.</summary>
    public bool MissingFromDirectory { get; set; }

    /// <summary>Node name of the server that holds the mailbox.</summary>
    public required string HomeServer { get; set; }

    /// <summary>
    /// Raised by each migration of the mailbox; across a distributed domain the
    /// announcement with the highest epoch names the home. 0: placed by a filter.
    /// </summary>
    public long HomeEpoch { get; set; }

    /// <summary>For local users only: their password hash.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Directory attributes shown in the console and the address list (title, department, phone, office...).</summary>
    public Dictionary<string, string> Attributes { get; set; } = [];

    public List<UserAlias> Aliases { get; set; } = [];

    /// <summary>
    /// Name, addresses and aliases in lower case, for a search that is
    /// case-insensitive beyond ASCII (SQLite's own lower() knows only ASCII).
    /// </summary>
    public string SearchText { get; set; } = string.Empty;

    public List<GroupMember> Groups { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The <see cref="SearchText"/> of a user with these name and addresses.</summary>
    public static string SearchTextOf(string name, string localPart, IEnumerable<string> aliases, string domainAscii) =>
        SearchTextOf(name, localPart, aliases, domainAscii, Domains.DomainNames.ToUnicode(domainAscii));

    /// <summary>
    /// The <see cref="SearchText"/> of a user, with the domain's Unicode form already known
    /// (<see cref="Domains.DomainNames.ToUnicode"/> of <paramref name="domainAscii"/>).
    /// </summary>
    public static string SearchTextOf(string name, string localPart, IEnumerable<string> aliases, string domainAscii, string unicodeDomain)
    {
        var parts = new List<string> { name, $"{localPart}@{domainAscii}" };
        if (unicodeDomain != domainAscii)
        {
            parts.Add($"{localPart}@{unicodeDomain}");
        }

        parts.AddRange(aliases.Select(a => $"{a}@{domainAscii}"));
        return string.Join('\n', parts).ToLowerInvariant();
    }
}

/// <summary>A further address of a user, in the user's domain.</summary>
public sealed class UserAlias
{
    public int Id { get; set; }

    public int UserId { get; set; }

    public int DomainId { get; set; }

    public required string LocalPart { get; set; }
}

/// <summary>A group mapped from the directory; members are flattened (nested groups resolved).</summary>
public sealed class MailGroup
{
    public int Id { get; set; }

    public int DomainId { get; set; }

    public required string Name { get; set; }

    /// <summary>The group's own address in the domain, if it has one.</summary>
    public string? LocalPart { get; set; }

    public required string DirectoryId { get; set; }

    public required string DirectoryDn { get; set; }

    /// <summary>
    /// The DN keys (<see cref="DirectoryServices.GroupMembership.DnKey"/>) of every entry the
    /// group holds, nested groups flattened, as the directory said at the last sync, whether or
    /// not this node knows the user yet. A user of another server whose row arrives later by
    /// replication is linked from these, so a group is one group on every server. Null for a
    /// group synced before this column existed (its members stay as they are until the next sync).
    /// </summary>
    public List<string>? MemberKeys { get; set; }

    public List<GroupMember> Members { get; set; } = [];
}

public sealed class GroupMember
{
    public int GroupId { get; set; }

    public MailGroup Group { get; set; } = default!;

    public int UserId { get; set; }

    public MailUser User { get; set; } = default!;
}
