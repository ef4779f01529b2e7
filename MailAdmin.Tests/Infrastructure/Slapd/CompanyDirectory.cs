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
    public const int PeopleCount = 7;

    // LDIF only allows ASCII in plain values, so Zoë Dvořák's names are base64 ("::") UTF-8.
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

        """;
}
