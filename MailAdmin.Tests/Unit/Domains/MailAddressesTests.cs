using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;

namespace MailAdmin.Tests.Unit.Domains;

public sealed class MailAddressesTests
{
    public static TheoryData<string?> Addresses => new()
    {
        "ann@company.com",
        " Ann.Lee@Company.COM ",
        "zoë@bücher.example",
        "ann@xn--bcher-kva.example",
        "ann@company.com.",
        "a@b@company.com",
        "ann@",
        "@company.com",
        "ann",
        "ann@-bad-.com",
        "ann@nodot",
        "ann..lee@company.com",
        "ann lee@company.com",
        "",
        null,
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void TryParse_WithADomainCache_AgreesWithTryParse(string? address)
    {
        var domains = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Twice: once filling the cache, once answered from it.
        for (var round = 0; round < 2; round++)
        {
            var expected = MailAddresses.TryParse(address, out var expectedParsed);
            var actual = MailAddresses.TryParse(address, domains, out var parsed);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedParsed, parsed);
        }
    }

    [Fact]
    public void SearchTextOf_WithTheUnicodeDomainGiven_IsTheSame()
    {
        Assert.Equal(
            MailUser.SearchTextOf("Zoë Dvořák", "zoe", ["z.d", "zd"], "xn--bcher-kva.example"),
            MailUser.SearchTextOf("Zoë Dvořák", "zoe", ["z.d", "zd"], "xn--bcher-kva.example", DomainNames.ToUnicode("xn--bcher-kva.example")));
    }
}
