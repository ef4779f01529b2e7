namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// One directory entry as the server returned it, before any schema is applied: the DN and
/// every attribute's values, with attribute names compared case-insensitively (LDAP attribute
/// names are, and servers differ in how they spell them back). Binary values (such as
/// <c>objectGUID</c>) are carried as base64. Keeping this generic lets the profiles be pure
/// functions, tested on entries recorded from real servers.
/// </summary>
public sealed record LdapEntry
{
    private static readonly IReadOnlyList<string> NoValues = [];

    public LdapEntry(string dn, IReadOnlyDictionary<string, IReadOnlyList<string>> attributes)
    {
        ArgumentNullException.ThrowIfNull(dn);
        ArgumentNullException.ThrowIfNull(attributes);
        Dn = dn;
        Attributes = new Dictionary<string, IReadOnlyList<string>>(attributes, StringComparer.OrdinalIgnoreCase);
    }

    private LdapEntry(string dn, Dictionary<string, IReadOnlyList<string>> attributes)
    {
        Dn = dn;
        Attributes = attributes;
    }

    public string Dn { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes { get; }

    /// <summary>
    /// An entry over <paramref name="attributes"/> as they are, without the copy the public
    /// constructor makes: for the reader, which builds the dictionary (case-insensitive) and
    /// never touches it again.
    /// </summary>
    internal static LdapEntry Own(string dn, Dictionary<string, IReadOnlyList<string>> attributes)
    {
        ArgumentNullException.ThrowIfNull(dn);
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes.Comparer == StringComparer.OrdinalIgnoreCase ? new LdapEntry(dn, attributes) : new LdapEntry(dn, (IReadOnlyDictionary<string, IReadOnlyList<string>>)attributes);
    }

    /// <summary>Every value of <paramref name="attribute"/>, in the server's order; empty when absent.</summary>
    public IReadOnlyList<string> Values(string attribute) => Attributes.GetValueOrDefault(attribute) ?? NoValues;

    /// <summary>The first non-blank value of <paramref name="attribute"/>, or null.</summary>
    public string? First(string attribute) => Values(attribute).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

/// <summary>
/// How one kind of directory server describes people and groups: which entries are users and
/// groups, which attributes to ask for, and how an entry becomes a <see cref="DirectoryUser"/>
/// or <see cref="DirectoryGroup"/>. Profiles do no I/O, so everything they decide (disabled
/// accounts, address order, nested-group members) is unit-tested on recorded entries.
/// </summary>
public abstract class DirectoryProfile
{
    /// <summary>The attribute list that asks for no attributes at all (RFC 4511): DN-only searches.</summary>
    public const string NoAttributes = "1.1";

    public static DirectoryProfile For(DirectoryProfileKind kind) => kind switch
    {
        DirectoryProfileKind.OpenLdap => OpenLdapProfile.Instance,
        DirectoryProfileKind.ActiveDirectory => ActiveDirectoryProfile.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown directory profile."),
    };

    /// <summary>Selects the entries that are users, before any administrator filter.</summary>
    public abstract string DefaultUserFilter { get; }

    /// <summary>Selects the entries that are groups, before any administrator filter.</summary>
    public abstract string DefaultGroupFilter { get; }

    /// <summary>The attributes <see cref="MapUser"/> reads; operational ones are named explicitly.</summary>
    public abstract IReadOnlyList<string> UserAttributes { get; }

    /// <summary>The attributes <see cref="MapGroup"/> reads.</summary>
    public abstract IReadOnlyList<string> GroupAttributes { get; }

    /// <summary>Attributes whose values are bytes, carried in <see cref="LdapEntry"/> as base64.</summary>
    public virtual IReadOnlySet<string> BinaryAttributes { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The user filter actually sent: the profile's, narrowed by the administrator's
    /// <see cref="DirectoryConnection.UserFilter"/> when there is one. Narrowed, never replaced,
    /// so a filter such as <c>(department=Sales)</c> cannot map groups or computers as people.
    /// </summary>
    public string UserFilter(DirectoryConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return LdapFilter.And(DefaultUserFilter, LdapFilter.Normalize(connection.UserFilter, "userFilter"));
    }

    /// <summary>The group filter actually sent: the profile's, narrowed by the administrator's.</summary>
    public string GroupFilter(DirectoryConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return LdapFilter.And(DefaultGroupFilter, LdapFilter.Normalize(connection.GroupFilter, "groupFilter"));
    }

    /// <summary>
    /// Matches the entries that own <paramref name="address"/> as a primary address or alias,
    /// escaped; the caller still checks the mapped user's addresses.
    /// </summary>
    public abstract string AddressFilter(string address);

    /// <summary>Matches the entry whose login name (uid, sAMAccountName) is <paramref name="login"/>, escaped.</summary>
    public abstract string LoginFilter(string login);

    /// <summary>
    /// Maps a user entry; null when the entry lacks what every mapped user needs (a stable id
    /// and a login), which the caller reports and skips. <paramref name="today"/> (UTC) decides
    /// date-based expiry, passed in so the mapping stays a pure function.
    /// </summary>
    public abstract DirectoryUser? MapUser(LdapEntry entry, DateOnly today);

    /// <summary>Maps a group entry; null when it has no stable id.</summary>
    public abstract DirectoryGroup? MapGroup(LdapEntry entry);

    /// <summary>Adds <paramref name="key"/> to <paramref name="attributes"/> when the entry has a value for it.</summary>
    protected static void AddAttribute(Dictionary<string, string> attributes, string key, LdapEntry entry, string attribute)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.First(attribute) is { } value)
        {
            attributes[key] = value.Trim();
        }
    }

    /// <summary>Trims, drops blanks and case-insensitive duplicates, and keeps the first spelling and order.</summary>
    protected static IReadOnlyList<string> DistinctAddresses(IEnumerable<string> addresses)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        foreach (var address in addresses)
        {
            var trimmed = address.Trim();
            if (trimmed.Length > 0 && seen.Add(trimmed))
            {
                result.Add(trimmed);
            }
        }

        return result;
    }
}
