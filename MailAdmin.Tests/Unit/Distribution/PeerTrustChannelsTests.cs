using MailAdmin.Core.Distribution.Trust;

namespace MailAdmin.Tests.Unit.Distribution;

public sealed class PeerTrustChannelsTests
{
    [Theory]
    [InlineData("master.example.com", 44337, "https://master.example.com:44337/")]
    [InlineData("192.0.2.7", 44337, "https://192.0.2.7:44337/")]
    [InlineData("2001:db8::7", 44337, "https://[2001:db8::7]:44337/")]
    [InlineData("[2001:db8::7]", 1234, "https://[2001:db8::7]:1234/")]
    public void Address_PutsAnIpv6LiteralInBrackets(string host, int port, string expected)
    {
        Assert.Equal(new Uri(expected), PeerChannels.Address(host, port));
    }

    [Theory]
    [InlineData("AB:CD", "abcd", false)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef", true)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDE0", false)]
    public void SameFingerprint_IgnoresCaseAndSeparatorsOfAFullSha256(string a, string b, bool same)
    {
        Assert.Equal(same, PeerCertificates.SameFingerprint(a, b));
    }
}
