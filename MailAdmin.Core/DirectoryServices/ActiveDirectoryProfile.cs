using System.Globalization;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Active Directory: people are <c>user</c> objects of category <c>person</c> (computers are
/// <c>user</c> objects too, hence the category), identified by the binary <c>objectGUID</c>.
/// Addresses come from <c>mail</c> and the Exchange-style <c>proxyAddresses</c>, where
/// <c>SMTP:</c> marks the primary address and <c>smtp:</c> an alias; other address types
/// (<c>X500:</c>, <c>SIP:</c>) are not mail addresses. A user is disabled by
/// <c>userAccountControl</c> bit 2 (ACCOUNTDISABLE).
/// </summary>
public sealed class ActiveDirectoryProfile : DirectoryProfile
{
    private const int AccountDisable = 0x2;
    private const string SmtpPrefix = "smtp:";

    public static ActiveDirectoryProfile Instance { get; } = new();

    public override string DefaultUserFilter => "(&(objectCategory=person)(objectClass=user))";

    public override string DefaultGroupFilter => "(objectClass=group)";

    public override IReadOnlyList<string> UserAttributes { get; } =
    [
        "objectGUID", "sAMAccountName", "userPrincipalName", "displayName", "cn", "givenName", "sn", "mail",
        "proxyAddresses", "title", "department", "telephoneNumber", "physicalDeliveryOfficeName", "userAccountControl",
    ];

    public override IReadOnlyList<string> GroupAttributes { get; } = ["objectGUID", "cn", "mail", "member"];

    public override IReadOnlySet<string> BinaryAttributes { get; } = new HashSet<string>(["objectGUID"], StringComparer.OrdinalIgnoreCase);

    // proxyAddresses matches case-insensitively in AD, so smtp: finds SMTP: (primary) values too.
    public override string AddressFilter(string address) => LdapFilter.Or(
        LdapFilter.Equality("mail", address),
        LdapFilter.Equality("proxyAddresses", SmtpPrefix + address),
        LdapFilter.Equality("userPrincipalName", address));

    public override string LoginFilter(string login) => LdapFilter.Equality("sAMAccountName", login);

    public override DirectoryUser? MapUser(LdapEntry entry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var id = GuidOf(entry);
        var login = entry.First("sAMAccountName");
        if (id is null || login is null)
        {
            return null;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        AddAttribute(attributes, "givenName", entry, "givenName");
        AddAttribute(attributes, "surname", entry, "sn");
        AddAttribute(attributes, "title", entry, "title");
        AddAttribute(attributes, "department", entry, "department");
        AddAttribute(attributes, "phone", entry, "telephoneNumber");
        AddAttribute(attributes, "office", entry, "physicalDeliveryOfficeName");

        return new DirectoryUser(
            DirectoryId: id,
            Dn: entry.Dn,
            Login: login,
            Name: (entry.First("displayName") ?? entry.First("cn") ?? login).Trim(),
            Addresses: AddressesOf(entry),
            Enabled: !IsDisabled(entry),
            PlacedHere: true,
            Attributes: attributes);
    }

    public override DirectoryGroup? MapGroup(LdapEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (GuidOf(entry) is not { } id)
        {
            return null;
        }

        return new DirectoryGroup(
            DirectoryId: id,
            Dn: entry.Dn,
            Name: entry.First("cn") ?? entry.Dn,
            Address: entry.First("mail")?.Trim(),
            MemberDns: [.. entry.Values("member").Where(m => m.Length > 0).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// <c>mail</c> first, then the <c>SMTP:</c> primary, then the <c>smtp:</c> aliases in the
    /// server's order. <c>mail</c> is what Exchange and most tools show as the address, so it
    /// leads even when <c>proxyAddresses</c> disagrees. <c>userPrincipalName</c> looks like an
    /// address but often is not a mailbox, so it is used only when there is nothing else.
    /// </summary>
    private static IReadOnlyList<string> AddressesOf(LdapEntry entry)
    {
        var proxies = entry.Values("proxyAddresses")
            .Where(p => p.StartsWith(SmtpPrefix, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var primary = proxies.Where(p => p.StartsWith("SMTP:", StringComparison.Ordinal));
        var aliases = proxies.Where(p => !p.StartsWith("SMTP:", StringComparison.Ordinal));
        var addresses = DistinctAddresses(
            entry.Values("mail").Concat(primary.Concat(aliases).Select(p => p[SmtpPrefix.Length..])));

        if (addresses.Count == 0 && entry.First("userPrincipalName") is { } upn)
        {
            return DistinctAddresses([upn]);
        }

        return addresses;
    }

    private static bool IsDisabled(LdapEntry entry) =>
        entry.First("userAccountControl") is { } flags
        && long.TryParse(flags, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        && (value & AccountDisable) != 0;

    /// <summary>
    /// objectGUID arrives as 16 bytes (base64 in <see cref="LdapEntry"/>); <see cref="Guid(byte[])"/>
    /// reads them in the same mixed-endian order AD tools print, so the id matches what an
    /// administrator sees in PowerShell. An already formatted GUID string is accepted too.
    /// </summary>
    private static string? GuidOf(LdapEntry entry)
    {
        if (entry.First("objectGUID") is not { } value)
        {
            return null;
        }

        if (Guid.TryParse(value, out var parsed))
        {
            return parsed.ToString();
        }

        var bytes = new byte[16];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == 16
            ? new Guid(bytes).ToString()
            : null;
    }
}
