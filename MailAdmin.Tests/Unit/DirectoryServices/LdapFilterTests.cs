using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit.DirectoryServices;

public sealed class LdapFilterTests
{
    [Theory]
    [InlineData("*", @"\2a")]
    [InlineData("*)(uid=*", @"\2a\29\28uid=\2a")]
    [InlineData("alice*", @"alice\2a")]
    [InlineData(@"\", @"\5c")]
    [InlineData(@"dom\user", @"dom\5cuser")]
    [InlineData("a\0b", @"a\00b")]
    [InlineData("(cn=x)", @"\28cn=x\29")]
    public void Escape_SpecialCharacters_AreHexEscaped(string value, string expected)
    {
        Assert.Equal(expected, LdapFilter.Escape(value));
    }

    [Theory]
    [InlineData("alice.novak@company.com")]
    [InlineData("Zoë Dvořák")]
    [InlineData("Jiří Černý")]
    [InlineData("用户@例子.广告")]
    public void Escape_OrdinaryAndNonAsciiText_IsKeptAsIs(string value)
    {
        Assert.Same(value, LdapFilter.Escape(value));
    }

    [Fact]
    public void Equality_InjectionAttempt_StaysOneLiteralValue()
    {
        var filter = LdapFilter.Equality("mail", "*)(|(uid=*");

        Assert.Equal(@"(mail=\2a\29\28|\28uid=\2a)", filter);
        Assert.Null(LdapFilter.Validate(filter));
    }

    [Fact]
    public void Equality_NotAnAttributeName_Throws()
    {
        Assert.Throws<ArgumentException>(() => LdapFilter.Equality("mail)(uid", "x"));
    }

    [Fact]
    public void AndOr_SeveralFilters_AreCombined()
    {
        Assert.Equal("(&(a=1)(|(b=2)(c=3)))", LdapFilter.And("(a=1)", LdapFilter.Or("(b=2)", "(c=3)")));
    }

    [Fact]
    public void And_OneFilterAndNulls_ReturnsTheFilterUnchanged()
    {
        Assert.Equal("(a=1)", LdapFilter.And("(a=1)", null, ""));
    }

    [Theory]
    [InlineData("(objectClass=*)")]
    [InlineData("(&(objectCategory=person)(objectClass=user))")]
    [InlineData("(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))")]
    [InlineData("(!(l=Seattle))")]
    [InlineData(@"(cn=Smith\2c John)")]
    [InlineData("(cn=J*n*s)")]
    [InlineData("(cn=Zoë Dvořák)")]
    [InlineData("(cn>=a)")]
    [InlineData("(cn~=jon)")]
    [InlineData("(userAccountControl:1.2.840.113556.1.4.803:=2)")]
    [InlineData("(memberOf:1.2.840.113556.1.4.1941:=cn=staff,dc=corp,dc=example)")]
    [InlineData("(:dn:2.4.6.8.10:=Dino)")]
    [InlineData("(cn;lang-en=x)")]
    [InlineData("(&)")]
    [InlineData("(&(l=Seattle)(|(title=*Engineer*)(departmentNumber=Engineering)))")]
    public void Validate_WellFormedFilter_ReturnsNull(string filter)
    {
        Assert.Null(LdapFilter.Validate(filter));
    }

    [Theory]
    [InlineData("")]
    [InlineData("(")]
    [InlineData("(cn=a")]
    [InlineData("cn=a)")]
    [InlineData("((cn=a))")]
    [InlineData("(cn=a))")]
    [InlineData("(&(cn=a)")]
    [InlineData("(&(cn=a)))")]
    [InlineData("(cn=a)(cn=b)")]
    [InlineData(@"(cn=a\zz)")]
    [InlineData(@"(cn=a\)")]
    [InlineData("(cn=a(b)")]
    [InlineData("(=a)")]
    [InlineData("(cn)")]
    [InlineData("(cn>=a*)")]
    [InlineData("(!cn=a)")]
    [InlineData("(cn=a\0)")]
    [InlineData("(cn:=a)x")]
    [InlineData("(cn:dn=a)")]
    public void Validate_MalformedFilter_ReturnsTheProblem(string filter)
    {
        Assert.NotNull(LdapFilter.Validate(filter));
    }

    [Fact]
    public void Validate_DeeplyNestedFilter_IsRefusedWithoutStackOverflow()
    {
        var filter = string.Concat(Enumerable.Repeat("(!", 10_000)) + "(a=b)" + new string(')', 10_000);

        Assert.NotNull(LdapFilter.Validate(filter));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Normalize_NoFilter_ReturnsNull(string? filter)
    {
        Assert.Null(LdapFilter.Normalize(filter, "userFilter"));
    }

    [Theory]
    [InlineData("l=Seattle", "(l=Seattle)")]
    [InlineData("  (l=Seattle) ", "(l=Seattle)")]
    [InlineData("(&(l=Seattle)(title=*))", "(&(l=Seattle)(title=*))")]
    public void Normalize_ValidFilter_ReturnsItParenthesized(string filter, string expected)
    {
        Assert.Equal(expected, LdapFilter.Normalize(filter, "placementFilter"));
    }

    [Fact]
    public void Normalize_UnbalancedFilter_ThrowsInvalidDirectoryFilterNamingTheSetting()
    {
        var error = Assert.Throws<MailAdminException>(() => LdapFilter.Normalize("(&(l=Seattle)", "placementFilter"));

        Assert.Equal("invalid-directory-filter", error.Code);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Contains("placementFilter", error.Message, StringComparison.Ordinal);
        Assert.Contains("(&(l=Seattle)", error.Message, StringComparison.Ordinal);
    }
}
