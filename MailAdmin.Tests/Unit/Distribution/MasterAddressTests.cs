using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit.Distribution;

public sealed class MasterAddressTests
{
    [Theory]
    [InlineData("mail.company.com", "mail.company.com", 44337)]
    [InlineData(" mail.company.com:5000 ", "mail.company.com", 5000)]
    [InlineData("10.0.0.5", "10.0.0.5", 44337)]
    [InlineData("10.0.0.5:44338", "10.0.0.5", 44338)]
    [InlineData("[::1]:44337", "::1", 44337)]
    [InlineData("::1", "::1", 44337)]
    public void Parse_AcceptsHostsAndPorts(string input, string host, int port) =>
        Assert.Equal((host, port), ClusterService.ParseMaster(input));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("mail.company.com:0")]
    [InlineData("mail.company.com:70000")]
    [InlineData("admin@mail.company.com")]
    [InlineData("https://mail.company.com/")]
    [InlineData("mail company com")]
    [InlineData("mail.company.com/path")]
    [InlineData("mail.company.com:44337?x=1")]
    public void Parse_RefusesWhatIsNotAnAddress_SayingWhatOneLooksLike(string input)
    {
        var e = Assert.Throws<MailAdminException>(() => ClusterService.ParseMaster(input));

        Assert.Equal("invalid-master-host", e.Code);
        Assert.Contains("44337", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesAnOversizedAddress() =>
        Assert.Equal("invalid-master-host", Assert.Throws<MailAdminException>(() => ClusterService.ParseMaster(new string('a', 300) + ".com")).Code);
}
