using System.Globalization;
using System.Text;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// The directory every LDAP test starts from, loaded by <see cref="SlapdFixture"/> by default.
/// Kept in code rather than an .ldif file so the tests need no content files and no path lookups.
/// </summary>
public static class CompanyDirectory
{
    /// <summary>Every user below has this password (simple bind, stored as plain text).</summary>
    public const string UserPassword = "Company-Secret-1";

    /// <summary>How many inetOrgPerson entries sit under ou=People.</summary>
    public const int PeopleCount = 10;

    /// <summary>
    /// John Smith's DN, which holds an escaped comma, as slapd returns it. The LDIF (and the staff
    /// group's member value) write the comma as <c>\,</c>; slapd stores and returns the entry's
    /// DN with it hex-escaped, <c>\2C</c>. Both name the same entry; clients keep the server's form.
    /// </summary>
    public const string SmithDn = @"cn=Smith\2C John,ou=People,dc=company,dc=com";

    /// <summary>A non-ASCII DN; the user also has no mail address at all.</summary>
    public const string JiriDn = "cn=Jiří Černý,ou=People,dc=company,dc=com";

    /// <summary>A shadowAccount whose shadowExpire (day 1, 1970-01-02) is long past: a disabled user.</summary>
    public const string OlgaDn = "uid=olga,ou=People,dc=company,dc=com";

    /// <summary>A group whose members are the sales and engineering groups (nesting) and John Smith.</summary>
    public const string StaffDn = "cn=staff,ou=Groups,dc=company,dc=com";

    // LDIF only allows ASCII in plain values, so Zoë Dvořák's and Jiří Černý's names (and Jiří's
    // DN) are base64 ("::") UTF-8.
    public const string Ldif = $$"""
        dn: dc=company,dc=com
        objectClass: top
        objectClass: dcObject
        objectClass: organization
        dc: company
        o: Company

        dn: ou=People,dc=company,dc=com
        objectClass: top
        objectClass: organizationalUnit
        ou: People

        dn: ou=Groups,dc=company,dc=com
        objectClass: top
        objectClass: organizationalUnit
        ou: Groups

        dn: uid=alice,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: alice
        cn: Alice Novak
        givenName: Alice
        sn: Novak
        mail: alice.novak@company.com
        mail: alice@company.com
        l: Prague
        title: Sales Manager
        telephoneNumber: +420 601 000 001
        departmentNumber: Sales
        userPassword: {{UserPassword}}

        dn: uid=bob,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: bob
        cn: Bob Smith
        givenName: Bob
        sn: Smith
        mail: bob.smith@company.com
        l: New York
        title: Account Executive
        telephoneNumber: +1 212 555 0102
        departmentNumber: Sales
        userPassword: {{UserPassword}}

        dn: uid=carol,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: carol
        cn: Carol Jones
        givenName: Carol
        sn: Jones
        mail: carol.jones@company.com
        l: Seattle
        title: Software Engineer
        telephoneNumber: +1 206 555 0103
        departmentNumber: Engineering
        userPassword: {{UserPassword}}

        dn: uid=dan,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: dan
        cn: Dan Brown
        givenName: Dan
        sn: Brown
        mail: dan.brown@company.com
        l: New York
        title: Sales Representative
        telephoneNumber: +1 212 555 0104
        departmentNumber: Sales
        userPassword: {{UserPassword}}

        dn: uid=eva,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: eva
        cn: Eva Green
        givenName: Eva
        sn: Green
        mail: eva.green@company.com
        l: Prague
        title: Office Manager
        telephoneNumber: +420 601 000 005
        departmentNumber: Operations
        userPassword: {{UserPassword}}

        dn: uid=frank,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: frank
        cn: Frank Wu
        givenName: Frank
        sn: Wu
        mail: frank.wu@company.com
        l: Seattle
        title: Engineering Lead
        telephoneNumber: +1 206 555 0106
        departmentNumber: Engineering
        userPassword: {{UserPassword}}

        dn: uid=zoe,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: zoe
        cn:: Wm/DqyBEdm/FmcOhaw==
        givenName:: Wm/Dqw==
        sn:: RHZvxZnDoWs=
        mail: zoe.dvorak@company.com
        l: Prague
        title: QA Engineer
        telephoneNumber: +420 601 000 007
        departmentNumber: Engineering
        userPassword: {{UserPassword}}

        dn: cn=Smith\, John,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        uid: jsmith
        cn: Smith, John
        givenName: John
        sn: Smith
        mail: john.smith@company.com
        l: New York
        title: Sales Director
        telephoneNumber: +1 212 555 0108
        departmentNumber: Sales
        userPassword: {{UserPassword}}

        dn:: Y249SmnFmcOtIMSMZXJuw70sb3U9UGVvcGxlLGRjPWNvbXBhbnksZGM9Y29t
        objectClass: inetOrgPerson
        uid: jiri
        cn:: SmnFmcOtIMSMZXJuw70=
        givenName:: SmnFmcOt
        sn:: xIxlcm7DvQ==
        l: Prague
        title: Warehouse Clerk
        departmentNumber: Operations
        userPassword: {{UserPassword}}

        dn: uid=olga,ou=People,dc=company,dc=com
        objectClass: inetOrgPerson
        objectClass: shadowAccount
        uid: olga
        cn: Olga Petrova
        givenName: Olga
        sn: Petrova
        mail: olga.petrova@company.com
        l: Prague
        title: Former Accountant
        departmentNumber: Finance
        shadowExpire: 1
        userPassword: {{UserPassword}}

        dn: cn=sales,ou=Groups,dc=company,dc=com
        objectClass: groupOfNames
        cn: sales
        description: Sales team
        member: uid=alice,ou=People,dc=company,dc=com
        member: uid=bob,ou=People,dc=company,dc=com
        member: uid=dan,ou=People,dc=company,dc=com

        dn: cn=engineering,ou=Groups,dc=company,dc=com
        objectClass: groupOfUniqueNames
        cn: engineering
        description: Engineering team
        uniqueMember: uid=carol,ou=People,dc=company,dc=com
        uniqueMember: uid=frank,ou=People,dc=company,dc=com
        uniqueMember: uid=zoe,ou=People,dc=company,dc=com

        dn: cn=staff,ou=Groups,dc=company,dc=com
        objectClass: groupOfNames
        objectClass: extensibleObject
        cn: staff
        description: Everyone in sales and engineering, and the sales director
        mail: staff@company.com
        member: cn=sales,ou=Groups,dc=company,dc=com
        member: cn=engineering,ou=Groups,dc=company,dc=com
        member: cn=Smith\, John,ou=People,dc=company,dc=com

        """;

    /// <summary>
    /// LDIF for <c>ou=Bulk</c> and <paramref name="count"/> users below it (<c>uid=bulk00001</c>,
    /// ..., mail <c>bulk00001@company.com</c>), to append to <see cref="Ldif"/> when a test needs
    /// more entries than one page of a paged search.
    /// </summary>
    public static string BulkUsers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // Starts with an empty line, so it can follow any LDIF as a new record.
        var ldif = new StringBuilder("""

            dn: ou=Bulk,dc=company,dc=com
            objectClass: organizationalUnit
            ou: Bulk


            """);
        for (var i = 1; i <= count; i++)
        {
            var uid = $"bulk{i:00000}";
            ldif.Append(CultureInfo.InvariantCulture, $"""
                dn: uid={uid},ou=Bulk,dc=company,dc=com
                objectClass: inetOrgPerson
                uid: {uid}
                cn: Bulk User {i:00000}
                sn: User
                mail: {uid}@company.com
                l: Denver


                """);
        }

        return ldif.ToString();
    }
}
