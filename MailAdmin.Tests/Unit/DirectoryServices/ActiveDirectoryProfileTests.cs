using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Tests.Unit.DirectoryServices;

/// <summary>
/// The Active Directory mapping, on entries written as a Windows Server 2022 domain controller
/// returns them to <c>ldapsearch</c> (binary objectGUID as base64, proxyAddresses in server order).
/// AD cannot run here, so these recorded entries are its only coverage.
/// </summary>
public sealed class ActiveDirectoryProfileTests
{
    private const string SmithDn = @"CN=Smith\, John,OU=Users,OU=Corp,DC=corp,DC=example";
    private static readonly DateOnly Today = new(2026, 11, 27);
    private static readonly ActiveDirectoryProfile Profile = ActiveDirectoryProfile.Instance;

    // objectGUID:: Kh47X02cj06hssPU5fYHGA== as ldapsearch prints it; PowerShell's
    // Get-ADUser shows the same bytes as 5f3b1e2a-9c4d-4e8f-a1b2-c3d4e5f60718.
    private static readonly byte[] SmithGuid = [0x2a, 0x1e, 0x3b, 0x5f, 0x4d, 0x9c, 0x8f, 0x4e, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18];

    private static LdapEntry JohnSmith => Entry(
        SmithDn,
        ("objectGUID", [Convert.ToBase64String(SmithGuid)]),
        ("sAMAccountName", ["jsmith"]),
        ("userPrincipalName", ["jsmith@corp.example"]),
        ("cn", ["Smith, John"]),
        ("displayName", ["John Smith"]),
        ("givenName", ["John"]),
        ("sn", ["Smith"]),
        ("mail", ["John.Smith@corp.example"]),
        ("proxyAddresses",
        [
            "X500:/o=Corp/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jsmith",
            "smtp:jsmith@corp.example",
            "SMTP:john.smith@corp.example",
            "sip:john.smith@corp.example",
            "smtp:john@corp.example",
            "smtp:JOHN.SMITH@corp.example",
        ]),
        ("title", ["Sales Director"]),
        ("department", ["Sales"]),
        ("telephoneNumber", ["+1 212 555 0108"]),
        ("physicalDeliveryOfficeName", ["New York"]),
        ("userAccountControl", ["512"]));

    [Fact]
    public void MapUser_RecordedUser_MapsEveryField()
    {
        var user = Profile.MapUser(JohnSmith, Today);

        Assert.NotNull(user);
        Assert.Equal("5f3b1e2a-9c4d-4e8f-a1b2-c3d4e5f60718", user.DirectoryId);
        Assert.Equal(SmithDn, user.Dn);
        Assert.Equal("jsmith", user.Login);
        Assert.Equal("John Smith", user.Name);
        Assert.True(user.Enabled);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["givenName"] = "John",
                ["surname"] = "Smith",
                ["title"] = "Sales Director",
                ["department"] = "Sales",
                ["phone"] = "+1 212 555 0108",
                ["office"] = "New York",
            },
            user.Attributes);
    }

    [Fact]
    public void MapUser_ProxyAddresses_MailFirstThenSmtpAliasesWithoutDuplicatesOrOtherTypes()
    {
        var user = Profile.MapUser(JohnSmith, Today);

        Assert.Equal(["John.Smith@corp.example", "jsmith@corp.example", "john@corp.example"], user!.Addresses);
    }

    [Fact]
    public void MapUser_NoMail_PrimarySmtpComesBeforeAliases()
    {
        var entry = Entry(
            "CN=Ann Lee,OU=Users,DC=corp,DC=example",
            ("objectGUID", ["9OPSwbalyEeJ0OHyo7TF1g=="]),
            ("sAMAccountName", ["alee"]),
            ("proxyAddresses", ["smtp:ann@corp.example", "X400:c=US;a= ;p=Corp;o=Exchange;s=Lee;g=Ann;", "SMTP:ann.lee@corp.example"]));

        Assert.Equal(["ann.lee@corp.example", "ann@corp.example"], Profile.MapUser(entry, Today)!.Addresses);
    }

    [Fact]
    public void MapUser_OnlyUserPrincipalName_UsesItAsTheAddress()
    {
        var entry = Entry(
            "CN=Svc Backup,OU=Service Accounts,DC=corp,DC=example",
            ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]),
            ("sAMAccountName", ["svc-backup"]),
            ("userPrincipalName", ["svc-backup@corp.example"]),
            ("proxyAddresses", ["X500:/o=Corp/cn=svc-backup"]));

        Assert.Equal(["svc-backup@corp.example"], Profile.MapUser(entry, Today)!.Addresses);
    }

    [Fact]
    public void MapUser_MailAndUserPrincipalName_LeavesTheUserPrincipalNameOut()
    {
        var entry = Entry("CN=a,DC=corp,DC=example", ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]), ("sAMAccountName", ["a"]), ("mail", ["a@corp.example"]), ("userPrincipalName", ["a.upn@corp.example"]));

        Assert.Equal(["a@corp.example"], Profile.MapUser(entry, Today)!.Addresses);
    }

    [Fact]
    public void MapUser_NoAddressAtAll_HasNoAddresses()
    {
        var entry = Entry("CN=Kiosk,OU=Users,DC=corp,DC=example", ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]), ("sAMAccountName", ["kiosk"]));

        Assert.Empty(Profile.MapUser(entry, Today)!.Addresses);
    }

    [Theory]
    [InlineData("512", true)] // NORMAL_ACCOUNT
    [InlineData("514", false)] // NORMAL_ACCOUNT | ACCOUNTDISABLE
    [InlineData("66048", true)] // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    [InlineData("66050", false)] // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD | ACCOUNTDISABLE
    [InlineData("544", true)] // NORMAL_ACCOUNT | PASSWD_NOTREQD
    public void MapUser_UserAccountControl_Bit2Disables(string userAccountControl, bool enabled)
    {
        var entry = Entry("CN=a,DC=corp,DC=example", ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]), ("sAMAccountName", ["a"]), ("userAccountControl", [userAccountControl]));

        Assert.Equal(enabled, Profile.MapUser(entry, Today)!.Enabled);
    }

    [Fact]
    public void MapUser_NonAsciiDisplayName_StaysIntact()
    {
        var entry = Entry(
            "CN=Zoë Dvořák,OU=Users,DC=corp,DC=example",
            ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]),
            ("sAMAccountName", ["zdvorak"]),
            ("cn", ["Zoë Dvořák"]),
            ("displayName", ["Zoë Dvořák (QA)"]));

        var user = Profile.MapUser(entry, Today);

        Assert.Equal("CN=Zoë Dvořák,OU=Users,DC=corp,DC=example", user!.Dn);
        Assert.Equal("Zoë Dvořák (QA)", user.Name);
    }

    [Fact]
    public void MapUser_NoDisplayName_UsesCn()
    {
        var entry = Entry(SmithDn, ("objectGUID", ["PSwbCl9OYUCCc5SltsfY6Q=="]), ("sAMAccountName", ["jsmith"]), ("cn", ["Smith, John"]));

        Assert.Equal("Smith, John", Profile.MapUser(entry, Today)!.Name);
    }

    [Fact]
    public void MapUser_GuidAlreadyAsText_IsAccepted()
    {
        var entry = Entry("CN=a,DC=corp,DC=example", ("objectGUID", ["{5F3B1E2A-9C4D-4E8F-A1B2-C3D4E5F60718}"]), ("sAMAccountName", ["a"]));

        Assert.Equal("5f3b1e2a-9c4d-4e8f-a1b2-c3d4e5f60718", Profile.MapUser(entry, Today)!.DirectoryId);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAEC")] // three bytes, not sixteen
    public void MapUser_UnreadableObjectGuid_ReturnsNull(string objectGuid)
    {
        Assert.Null(Profile.MapUser(Entry("CN=a,DC=corp,DC=example", ("objectGUID", [objectGuid]), ("sAMAccountName", ["a"])), Today));
    }

    [Fact]
    public void MapGroup_GroupWithNestedGroup_ListsGroupAndUserMembers()
    {
        var entry = Entry(
            "CN=All Staff,OU=Groups,DC=corp,DC=example",
            ("objectGUID", ["9OPSwbalyEeJ0OHyo7TF1g=="]),
            ("cn", ["All Staff"]),
            ("mail", ["allstaff@corp.example"]),
            ("member", ["CN=Sales,OU=Groups,DC=corp,DC=example", SmithDn]));

        var group = Profile.MapGroup(entry);

        Assert.NotNull(group);
        Assert.Equal("c1d2e3f4-a5b6-47c8-89d0-e1f2a3b4c5d6", group.DirectoryId);
        Assert.Equal("All Staff", group.Name);
        Assert.Equal("allstaff@corp.example", group.Address);
        Assert.Equal(["CN=Sales,OU=Groups,DC=corp,DC=example", SmithDn], group.MemberDns);
    }

    [Fact]
    public void DefaultFilters_SelectPeopleAndGroups()
    {
        Assert.Equal("(&(objectCategory=person)(objectClass=user))", Profile.DefaultUserFilter);
        Assert.Equal("(objectClass=group)", Profile.DefaultGroupFilter);
        Assert.Contains("objectGUID", Profile.BinaryAttributes);
    }

    [Fact]
    public void AddressFilter_LooksInMailProxyAddressesAndUpn_Escaped()
    {
        Assert.Equal(
            @"(|(mail=a\2a@corp.example)(proxyAddresses=smtp:a\2a@corp.example)(userPrincipalName=a\2a@corp.example))",
            Profile.AddressFilter("a*@corp.example"));
    }

    private static LdapEntry Entry(string dn, params (string Name, string[] Values)[] attributes) =>
        new(dn, attributes.ToDictionary(a => a.Name, IReadOnlyList<string> (a) => a.Values));
}
