using System.Globalization;
using System.Text.RegularExpressions;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// OpenLDAP and other RFC 4519/2798 servers: <c>inetOrgPerson</c> users identified by the
/// operational <c>entryUUID</c> (stable across renames), groups as <c>groupOfNames</c> or
/// <c>groupOfUniqueNames</c>. A user is disabled when the ppolicy overlay has locked it
/// (<c>pwdAccountLockedTime</c>) or its <c>shadowExpire</c> day has come.
/// </summary>
public sealed partial class OpenLdapProfile : DirectoryProfile
{
    public static OpenLdapProfile Instance { get; } = new();

    public override string DefaultUserFilter => "(objectClass=inetOrgPerson)";

    public override string DefaultGroupFilter => "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";

    public override IReadOnlyList<string> UserAttributes { get; } =
    [
        "entryUUID", "uid", "cn", "displayName", "givenName", "sn", "mail", "title", "departmentNumber",
        "telephoneNumber", "l", "pwdAccountLockedTime", "shadowExpire",
    ];

    public override IReadOnlyList<string> GroupAttributes { get; } = ["entryUUID", "cn", "mail", "member", "uniqueMember"];

    public override string AddressFilter(string address) => LdapFilter.Equality("mail", address);

    public override string LoginFilter(string login) => LdapFilter.Equality("uid", login);

    public override DirectoryUser? MapUser(LdapEntry entry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var id = entry.First("entryUUID");
        var login = entry.First("uid");
        if (id is null || login is null)
        {
            return null;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        AddAttribute(attributes, "givenName", entry, "givenName");
        AddAttribute(attributes, "surname", entry, "sn");
        AddAttribute(attributes, "title", entry, "title");
        AddAttribute(attributes, "department", entry, "departmentNumber");
        AddAttribute(attributes, "phone", entry, "telephoneNumber");
        AddAttribute(attributes, "office", entry, "l");

        return new DirectoryUser(
            DirectoryId: id,
            Dn: entry.Dn,
            Login: login,
            Name: NameOf(entry) ?? login,
            Addresses: DistinctAddresses(entry.Values("mail")),
            Enabled: !IsDisabled(entry, today),
            PlacedHere: true,
            Attributes: attributes);
    }

    public override DirectoryGroup? MapGroup(LdapEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.First("entryUUID") is not { } id)
        {
            return null;
        }

        var members = entry.Values("member").Concat(entry.Values("uniqueMember").Select(StripUniqueIdentifier));
        return new DirectoryGroup(
            DirectoryId: id,
            Dn: entry.Dn,
            Name: entry.First("cn") ?? entry.Dn,
            Address: entry.First("mail")?.Trim(),
            MemberDns: [.. members.Where(m => m.Length > 0).Distinct(StringComparer.Ordinal)]);
    }

    private static string? NameOf(LdapEntry entry)
    {
        if ((entry.First("cn") ?? entry.First("displayName")) is { } name)
        {
            return name.Trim();
        }

        var parts = new[] { entry.First("givenName"), entry.First("sn") }.OfType<string>().Select(p => p.Trim());
        var joined = string.Join(' ', parts);
        return joined.Length > 0 ? joined : null;
    }

    private static bool IsDisabled(LdapEntry entry, DateOnly today)
    {
        if (entry.First("pwdAccountLockedTime") is not null)
        {
            return true;
        }

        // shadowExpire counts days since 1970-01-01; the account is unusable from that day on.
        // -1 (and any negative value) is how shadow tools write "never".
        return entry.First("shadowExpire") is { } days
            && long.TryParse(days, NumberStyles.Integer, CultureInfo.InvariantCulture, out var expiresOn)
            && expiresOn >= 0
            && expiresOn <= today.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
    }

    /// <summary>
    /// A <c>uniqueMember</c> value is a DN optionally followed by <c>#'0101'B</c>, a bit string
    /// that tells same-named entries apart (RFC 4517 NameAndOptionalUID); the DN is the member.
    /// </summary>
    private static string StripUniqueIdentifier(string value) => UniqueIdentifierSuffix().Replace(value, string.Empty).Trim();

    [GeneratedRegex(@"(?<!\\)#'[01]*'B$")]
    private static partial Regex UniqueIdentifierSuffix();
}
