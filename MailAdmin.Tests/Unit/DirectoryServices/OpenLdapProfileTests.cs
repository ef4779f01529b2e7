using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit.DirectoryServices;

/// <summary>The OpenLDAP mapping, on entries as slapd returns them (attribute names in any case).</summary>
public sealed class OpenLdapProfileTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);
    private static readonly OpenLdapProfile Profile = OpenLdapProfile.Instance;

    [Fact]
    public void MapUser_InetOrgPerson_MapsEveryField()
    {
        var entry = Entry(
            "uid=alice,ou=People,dc=company,dc=com",
            ("entryUUID", ["0f5a8f4e-3b1c-103f-8d7e-2b9a1c4d5e6f"]),
            ("uid", ["alice"]),
            ("cn", ["Alice Novak"]),
            ("givenName", ["Alice"]),
            ("sn", ["Novak"]),
            ("mail", ["alice.novak@company.com", "alice@company.com"]),
            ("l", ["Prague"]),
            ("title", ["Sales Manager"]),
            ("telephoneNumber", ["+420 601 000 001"]),
            ("departmentNumber", ["Sales"]));

        var user = Profile.MapUser(entry, Today);

        Assert.NotNull(user);
        Assert.Equal("0f5a8f4e-3b1c-103f-8d7e-2b9a1c4d5e6f", user.DirectoryId);
        Assert.Equal("uid=alice,ou=People,dc=company,dc=com", user.Dn);
        Assert.Equal("alice", user.Login);
        Assert.Equal("Alice Novak", user.Name);
        Assert.Equal(["alice.novak@company.com", "alice@company.com"], user.Addresses);
        Assert.True(user.Enabled);
        Assert.True(user.PlacedHere);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["givenName"] = "Alice",
                ["surname"] = "Novak",
                ["title"] = "Sales Manager",
                ["department"] = "Sales",
                ["phone"] = "+420 601 000 001",
                ["office"] = "Prague",
            },
            user.Attributes);
    }

    [Fact]
    public void MapUser_AttributeNamesInOtherCase_AreFound()
    {
        var entry = Entry("uid=bob,ou=People,dc=company,dc=com", ("ENTRYUUID", ["id-1"]), ("UID", ["bob"]), ("Mail", ["bob@company.com"]));

        var user = Profile.MapUser(entry, Today);

        Assert.NotNull(user);
        Assert.Equal("bob", user.Login);
        Assert.Equal(["bob@company.com"], user.Addresses);
    }

    [Fact]
    public void MapUser_NonAsciiDnAndNames_StayIntact()
    {
        var entry = Entry(
            "cn=Jiří Černý,ou=People,dc=company,dc=com",
            ("entryUUID", ["id-2"]),
            ("uid", ["jiri"]),
            ("cn", ["Jiří Černý"]));

        var user = Profile.MapUser(entry, Today);

        Assert.NotNull(user);
        Assert.Equal("cn=Jiří Černý,ou=People,dc=company,dc=com", user.Dn);
        Assert.Equal("Jiří Černý", user.Name);
    }

    [Fact]
    public void MapUser_WithoutMail_HasNoAddresses()
    {
        var user = Profile.MapUser(Entry("uid=jiri,dc=company,dc=com", ("entryUUID", ["id"]), ("uid", ["jiri"])), Today);

        Assert.NotNull(user);
        Assert.Empty(user.Addresses);
    }

    [Fact]
    public void MapUser_RepeatedMailInOtherCase_IsListedOnce()
    {
        var entry = Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"]), ("mail", ["A@company.com", " a@company.com ", "b@company.com"]));

        Assert.Equal(["A@company.com", "b@company.com"], Profile.MapUser(entry, Today)!.Addresses);
    }

    [Fact]
    public void MapUser_NoCn_UsesDisplayName()
    {
        var entry = Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"]), ("displayName", ["Ann Lee"]), ("givenName", ["X"]));

        Assert.Equal("Ann Lee", Profile.MapUser(entry, Today)!.Name);
    }

    [Fact]
    public void MapUser_NoCnNorDisplayName_JoinsGivenNameAndSurname()
    {
        var entry = Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"]), ("givenName", ["Ann"]), ("sn", ["Lee"]));

        Assert.Equal("Ann Lee", Profile.MapUser(entry, Today)!.Name);
    }

    [Fact]
    public void MapUser_NoNameAtAll_UsesLogin()
    {
        Assert.Equal("a", Profile.MapUser(Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"])), Today)!.Name);
    }

    [Fact]
    public void MapUser_PasswordPolicyLock_IsDisabled()
    {
        var entry = Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"]), ("pwdAccountLockedTime", ["20260101000000Z"]));

        Assert.False(Profile.MapUser(entry, Today)!.Enabled);
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("20419", false)] // 2025-11-27: a year ago
    [InlineData("20784", false)] // 2026-11-27: today, the day it expires
    [InlineData("20785", true)] // tomorrow
    [InlineData("-1", true)] // shadow's "never"
    [InlineData("soon", true)]
    public void MapUser_ShadowExpire_DisablesFromThatDay(string shadowExpire, bool enabled)
    {
        var entry = Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("uid", ["a"]), ("shadowExpire", [shadowExpire]));

        Assert.Equal(enabled, Profile.MapUser(entry, Today)!.Enabled);
    }

    [Theory]
    [InlineData("entryUUID")]
    [InlineData("uid")]
    public void MapUser_MissingIdOrLogin_ReturnsNull(string missing)
    {
        var entry = missing == "uid"
            ? Entry("uid=a,dc=c", ("entryUUID", ["id"]), ("cn", ["A"]))
            : Entry("uid=a,dc=c", ("uid", ["a"]), ("cn", ["A"]));

        Assert.Null(Profile.MapUser(entry, Today));
    }

    [Fact]
    public void MapGroup_GroupOfNames_ListsMembers()
    {
        var entry = Entry(
            "cn=staff,ou=Groups,dc=company,dc=com",
            ("entryUUID", ["g-1"]),
            ("cn", ["staff"]),
            ("mail", ["staff@company.com"]),
            ("member", ["cn=sales,ou=Groups,dc=company,dc=com", @"cn=Smith\, John,ou=People,dc=company,dc=com"]));

        var group = Profile.MapGroup(entry);

        Assert.NotNull(group);
        Assert.Equal("g-1", group.DirectoryId);
        Assert.Equal("staff", group.Name);
        Assert.Equal("staff@company.com", group.Address);
        Assert.Equal(["cn=sales,ou=Groups,dc=company,dc=com", @"cn=Smith\, John,ou=People,dc=company,dc=com"], group.MemberDns);
    }

    [Fact]
    public void MapGroup_UniqueMemberWithUid_DropsTheBitStringSuffix()
    {
        var entry = Entry(
            "cn=engineering,ou=Groups,dc=company,dc=com",
            ("entryUUID", ["g-2"]),
            ("cn", ["engineering"]),
            ("uniqueMember", ["uid=carol,ou=People,dc=company,dc=com#'0101'B", "uid=frank,ou=People,dc=company,dc=com"]));

        var group = Profile.MapGroup(entry);

        Assert.NotNull(group);
        Assert.Null(group.Address);
        Assert.Equal(["uid=carol,ou=People,dc=company,dc=com", "uid=frank,ou=People,dc=company,dc=com"], group.MemberDns);
    }

    [Fact]
    public void MapGroup_NoEntryUuid_ReturnsNull()
    {
        Assert.Null(Profile.MapGroup(Entry("cn=x,dc=c", ("cn", ["x"]))));
    }

    [Fact]
    public void UserFilter_NoAdministratorFilter_IsTheProfileFilter()
    {
        Assert.Equal("(objectClass=inetOrgPerson)", Profile.UserFilter(Connection()));
    }

    [Fact]
    public void UserFilter_AdministratorFilter_NarrowsTheProfileFilter()
    {
        Assert.Equal("(&(objectClass=inetOrgPerson)(l=Seattle))", Profile.UserFilter(Connection(userFilter: "l=Seattle")));
    }

    [Fact]
    public void GroupFilter_MalformedAdministratorFilter_ThrowsInvalidDirectoryFilter()
    {
        var error = Assert.Throws<MailAdminException>(() => Profile.GroupFilter(Connection(groupFilter: "(cn=sales")));

        Assert.Equal("invalid-directory-filter", error.Code);
        Assert.Contains("groupFilter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddressFilter_Wildcard_IsEscaped()
    {
        Assert.Equal(@"(mail=\2a@company.com)", Profile.AddressFilter("*@company.com"));
    }

    private static DirectoryConnection Connection(string? userFilter = null, string? groupFilter = null) => new(
        "ldap.company.com", 389, DirectorySecurity.None, "cn=admin,dc=company,dc=com", "secret", "dc=company,dc=com",
        DirectoryProfileKind.OpenLdap, userFilter, groupFilter);

    private static LdapEntry Entry(string dn, params (string Name, string[] Values)[] attributes) =>
        new(dn, attributes.ToDictionary(a => a.Name, IReadOnlyList<string> (a) => a.Values));
}
