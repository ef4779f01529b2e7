using System.Text;
using MailAdmin.Core.Domains;

namespace MailAdmin.Tests.Unit.Domains;

public sealed class VCardWriterTests
{
    [Fact]
    public void AUser_BecomesAnIndividualCard_WithItsDirectoryFields()
    {
        var card = VCardWriter.Write([new GalEntry("john.smith@company.com", "Smith, John", GalKinds.User, "Sales Director", "Sales", "+1 212 555 0100", "NY-4", "ny")]);

        Assert.Equal(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:mailto:john.smith@company.com\r\nKIND:individual\r\nFN:Smith\\, John\r\nN:Smith;John;;;\r\n"
            + "EMAIL;TYPE=work:john.smith@company.com\r\nTITLE:Sales Director\r\nORG:;Sales\r\nTEL;VALUE=text;TYPE=work:+1 212 555 0100\r\nNOTE:Office: NY-4\r\nEND:VCARD\r\n",
            card);
    }

    [Theory]
    [InlineData(GalKinds.Group, "KIND:group")]
    [InlineData(GalKinds.List, "KIND:group")]
    [InlineData(GalKinds.Resource, "KIND:location")]
    public void GroupsListsAndResources_HaveTheirKind_AndNoStructuredName(string kind, string line)
    {
        var card = VCardWriter.Write([new GalEntry("staff@company.com", "Staff", kind, null, null, null, null, null)]);

        Assert.Contains(line + "\r\n", card, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nN:", card, StringComparison.Ordinal);
    }

    [Fact]
    public void TextValues_EscapeBackslashCommaSemicolonAndNewline_AndDropOtherControls()
    {
        Assert.Equal("a\\\\b\\,c\\;d\\ne", VCardWriter.Escape("a\\b,c;d\r\ne\u0007"));
    }

    [Fact]
    public void LongLines_AreFoldedAt75Octets_WithoutSplittingACharacter()
    {
        var name = string.Concat(Enumerable.Repeat("Jiří Černý Žluťoučký ", 12));
        var card = VCardWriter.Write([new GalEntry("jiri@company.com", name, GalKinds.User, null, null, null, null, null)]);

        var lines = card.Split("\r\n");
        Assert.All(lines, l => Assert.InRange(Encoding.UTF8.GetByteCount(l), 0, 75));
        var unfolded = card.Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        Assert.Contains("FN:" + name.TrimEnd() + " \r\n", unfolded, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(card)));
    }
}
