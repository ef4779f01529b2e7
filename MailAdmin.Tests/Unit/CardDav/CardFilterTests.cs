using MailAdmin.Core.CardDav;
using MailAdmin.Core.Domains;

namespace MailAdmin.Tests.Unit.CardDav;

public sealed class CardFilterTests
{
    private static readonly AddressBookCard John = AddressBookCard.From(new GalEntry("john.smith@company.com", "Smith, John", GalKinds.User, "Sales Director", "Sales", null, null, "ny"));
    private static readonly AddressBookCard Zoe = AddressBookCard.From(new GalEntry("zoe.dvorak@company.com", "Zoë Dvořák", GalKinds.User, null, null, null, null, "hq"));
    private static readonly AddressBookCard Staff = AddressBookCard.From(new GalEntry("staff@company.com", "Staff", GalKinds.Group, null, null, null, null, null));

    [Theory]
    [InlineData("FN", "smith, john", TextMatchType.EqualTo, Collation.UnicodeCaseMap, true)]
    [InlineData("FN", "smith, john", TextMatchType.EqualTo, Collation.Octet, false)]
    [InlineData("FN", "SMITH", TextMatchType.StartsWith, Collation.AsciiCaseMap, true)]
    [InlineData("FN", "JOHN", TextMatchType.EndsWith, Collation.UnicodeCaseMap, true)]
    [InlineData("N", "Smith;John;;;", TextMatchType.EqualTo, Collation.Octet, true)]
    [InlineData("EMAIL", "@company.com", TextMatchType.EndsWith, Collation.Octet, true)]
    [InlineData("TITLE", "sales", TextMatchType.Contains, Collation.UnicodeCaseMap, true)]
    [InlineData("ORG", "Sales", TextMatchType.Contains, Collation.Octet, true)]
    [InlineData("TEL", "", TextMatchType.Contains, Collation.Octet, false)]
    public void APropertyFilter_ComparesTheUnescapedValue_WithTheCollationAndMatchType(string property, string text, TextMatchType matchType, Collation collation, bool matches)
    {
        var filter = new CardFilter(FilterTest.AnyOf, [new PropFilter(property, FilterTest.AnyOf, false, [new TextMatch(text, collation, matchType, false)])]);

        Assert.Equal(matches, filter.Matches(John));
    }

    [Fact]
    public void UnicodeCaseMap_FoldsCaseBeyondAscii_AsciiCaseMapDoesNot()
    {
        Assert.True(new TextMatch("ZOË DVOŘÁK", Collation.UnicodeCaseMap, TextMatchType.EqualTo, false).Matches("Zoë Dvořák"));
        Assert.False(new TextMatch("ZOË DVOŘÁK", Collation.AsciiCaseMap, TextMatchType.EqualTo, false).Matches("Zoë Dvořák"));
        Assert.True(new TextMatch("ZOë DVOřáK", Collation.AsciiCaseMap, TextMatchType.EqualTo, false).Matches("Zoë Dvořák"));
    }

    [Fact]
    public void NegateCondition_InvertsTheComparison()
    {
        Assert.False(new TextMatch("smith", Collation.UnicodeCaseMap, TextMatchType.Contains, true).Matches("Smith, John"));
        Assert.True(new TextMatch("novak", Collation.UnicodeCaseMap, TextMatchType.Contains, true).Matches("Smith, John"));
    }

    [Fact]
    public void AnyOfAndAllOf_CombinePropertyFilters_AndTextMatchesWithinOne()
    {
        var fnSmith = new PropFilter("FN", FilterTest.AnyOf, false, [new TextMatch("smith", Collation.UnicodeCaseMap, TextMatchType.Contains, false)]);
        var emailZoe = new PropFilter("EMAIL", FilterTest.AnyOf, false, [new TextMatch("zoe", Collation.UnicodeCaseMap, TextMatchType.StartsWith, false)]);

        Assert.Equal([John, Zoe], new[] { John, Zoe, Staff }.Where(new CardFilter(FilterTest.AnyOf, [fnSmith, emailZoe]).Matches));
        var allOf = new CardFilter(FilterTest.AllOf, [fnSmith, emailZoe]);
        Assert.DoesNotContain(new[] { John, Zoe, Staff }, allOf.Matches);

        var both = new PropFilter("FN", FilterTest.AllOf, false,
            [new TextMatch("smith", Collation.UnicodeCaseMap, TextMatchType.Contains, false), new TextMatch("john", Collation.UnicodeCaseMap, TextMatchType.Contains, false)]);
        var either = both with { Test = FilterTest.AnyOf, TextMatches = [both.TextMatches[0], new TextMatch("zoë", Collation.UnicodeCaseMap, TextMatchType.Contains, false)] };
        Assert.Equal([John], new[] { John, Zoe, Staff }.Where(new CardFilter(FilterTest.AnyOf, [both]).Matches));
        Assert.Equal([John, Zoe], new[] { John, Zoe, Staff }.Where(new CardFilter(FilterTest.AnyOf, [either]).Matches));
    }

    [Fact]
    public void IsNotDefined_MatchesCardsWithoutTheProperty_AndAPropFilterWithoutMatchesNeedsItDefined()
    {
        Assert.Equal([Staff], new[] { John, Zoe, Staff }.Where(new CardFilter(FilterTest.AnyOf, [new PropFilter("N", FilterTest.AnyOf, true, [])]).Matches));
        Assert.Equal([John], new[] { John, Zoe, Staff }.Where(new CardFilter(FilterTest.AnyOf, [new PropFilter("TITLE", FilterTest.AnyOf, false, [])]).Matches));
        Assert.Equal(3, new[] { John, Zoe, Staff }.Count(CardFilter.All.Matches));
    }

    [Fact]
    public void VCardProperties_UnfoldsLinesAndUndoesEscapes()
    {
        var properties = VCardProperties.Read("BEGIN:VCARD\r\nitem1.FN;LANGUAGE=\"en:gb\":Smith\\, John \r\n Junior\\nII\r\nEND:VCARD\r\n");

        Assert.Equal(new VCardProperty("FN", "Smith, John Junior\nII"), properties[1]);
    }

    [Theory]
    [InlineData("bob.smith@company.com", "bob.smith@company.com.vcf")]
    [InlineData("o'brien+news@company.com", "o~27brien~2Bnews@company.com.vcf")]
    [InlineData("jiří@company.com", "ji~C5~99~C3~AD@company.com.vcf")]
    [InlineData("a~b/c@company.com", "a~7Eb~2Fc@company.com.vcf")]
    public void CardNames_AreTheAddress_WithEveryOtherOctetAsTildeHex(string address, string name)
    {
        Assert.Equal(name, AddressBookCard.NameFor(address));
        Assert.Equal(name, Uri.EscapeDataString(name).Replace("%40", "@", StringComparison.Ordinal));
    }

    [Fact]
    public void TheETag_IsTheHashOfTheCardsBytes()
    {
        var changed = AddressBookCard.From(new GalEntry("john.smith@company.com", "Smith, John", GalKinds.User, "Sales Director", "Sales", "+1 212 555 0100", null, "ny"));

        Assert.Equal(John.ETag, AddressBookCard.From(John.Entry).ETag);
        Assert.NotEqual(John.ETag, changed.ETag);
        Assert.Equal(John.Name, changed.Name);
    }
}
