using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Tests.Unit.DirectoryServices;

public sealed class GroupMembershipTests
{
    private const string Alice = "uid=alice,ou=People,dc=company,dc=com";
    private const string Smith = @"CN=Smith\, John,OU=Users,DC=corp,DC=example";

    [Fact]
    public void GroupsOf_NestedGroups_IncludesEveryAncestor()
    {
        var groups = new[]
        {
            Group("cn=sales", Alice),
            Group("cn=staff", "cn=sales", "cn=engineering"),
            Group("cn=everyone", "cn=staff"),
            Group("cn=engineering", "uid=carol,ou=People,dc=company,dc=com"),
        };

        Assert.Equal(["cn=sales", "cn=staff", "cn=everyone"], GroupMembership.GroupsOf(Alice, groups));
    }

    [Fact]
    public void GroupsOf_Cycle_EndsAndListsEachGroupOnce()
    {
        var groups = new[]
        {
            Group("cn=a", Alice, "cn=b"),
            Group("cn=b", "cn=a"),
            Group("cn=c", "cn=b", "cn=c"),
        };

        Assert.Equal(["cn=a", "cn=b", "cn=c"], GroupMembership.GroupsOf(Alice, groups));
    }

    [Fact]
    public void GroupsOf_GroupThatContainsTheUserBackThroughACycle_DoesNotListTheUser()
    {
        var groups = new[] { Group("cn=a", Alice), Group(Alice, "cn=a") };

        Assert.Equal(["cn=a"], GroupMembership.GroupsOf(Alice, groups));
    }

    [Fact]
    public void GroupsOf_MemberDnInOtherCaseAndSpacing_StillMatches()
    {
        var groups = new[] { Group("cn=sales", "UID=alice, OU=People, DC=company, DC=com") };

        Assert.Equal(["cn=sales"], GroupMembership.GroupsOf(Alice, groups));
    }

    [Fact]
    public void GroupsOf_DnWithEscapedComma_MatchesOnlyThatEntry()
    {
        var groups = new[]
        {
            Group("CN=Directors,OU=Groups,DC=corp,DC=example", Smith),
            Group("CN=Smiths,OU=Groups,DC=corp,DC=example", "CN=Smith,OU=Users,DC=corp,DC=example"),
        };

        Assert.Equal(["CN=Directors,OU=Groups,DC=corp,DC=example"], GroupMembership.GroupsOf(Smith, groups));
    }

    [Fact]
    public void GroupsOf_SameDnWithHexAndCharacterEscapes_Matches()
    {
        // slapd returns the entry as \2C but keeps the member value as written.
        var groups = new[] { Group("cn=staff,dc=company,dc=com", @"cn=Smith\, John,ou=People,dc=company,dc=com") };

        Assert.Equal(["cn=staff,dc=company,dc=com"], GroupMembership.GroupsOf(@"cn=Smith\2C John,ou=People,dc=company,dc=com", groups));
    }

    [Fact]
    public void GroupsOf_NoGroupHasTheUser_IsEmpty()
    {
        Assert.Empty(GroupMembership.GroupsOf(Alice, [Group("cn=sales", "uid=bob,ou=People,dc=company,dc=com")]));
    }

    [Theory]
    [InlineData("uid=alice,ou=People,dc=company,dc=com", "uid=alice,ou=people,dc=company,dc=com")]
    [InlineData(" UID = alice , OU=People ", "uid=alice,ou=people")]
    [InlineData(@"CN=Smith\, John,DC=corp", @"cn=smith\, john,dc=corp")]
    [InlineData(@"CN=Trailing\ ,DC=corp", "cn=trailing ,dc=corp")]
    [InlineData("CN=Zoë Dvořák,DC=corp", "cn=zoë dvořák,dc=corp")]
    [InlineData(@"cn=Smith\2C John,dc=corp", @"cn=smith\, john,dc=corp")]
    [InlineData(@"cn=Smith\2c John,dc=corp", @"cn=smith\, john,dc=corp")]
    [InlineData(@"cn=Zo\C3\AB,dc=corp", "cn=zoë,dc=corp")]
    [InlineData(@"cn=\41lice,dc=corp", "cn=alice,dc=corp")]
    [InlineData(@"cn=a\2Bb\3Dc,dc=corp", @"cn=a\+b\=c,dc=corp")]
    [InlineData(@"cn=\20lead,dc=corp", "cn= lead,dc=corp")]
    [InlineData("UID=Alice,OU=People,DC=Company,DC=Com", "uid=alice,ou=people,dc=company,dc=com")]
    [InlineData("CN=ZOË,DC=corp", "cn=zoë,dc=corp")]
    public void DnKey_Variants_NormaliseCaseSpacingAndEscapes(string dn, string expected)
    {
        Assert.Equal(expected, GroupMembership.DnKey(dn));
    }

    private static DirectoryGroup Group(string dn, params string[] members) => new(dn, dn, dn, null, members);
}
