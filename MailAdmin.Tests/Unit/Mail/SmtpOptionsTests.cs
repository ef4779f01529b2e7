using System.Net;
using System.Net.Sockets;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Mail;
using Microsoft.Extensions.Configuration;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class SmtpOptionsTests
{
    [Fact]
    public void Read_Defaults_EveryInterfaceAnd500Sessions()
    {
        var options = Read();

        Assert.Equal(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, options.ListenAddress);
        Assert.Equal(500, options.MaxSessions);
        Assert.Equal(TimeSpan.FromMinutes(5), options.IdleTimeout);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("[::1]", "::1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    public void Read_ListenAddress_Parsed(string value, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), Read(("Smtp:ListenAddress", value)).ListenAddress);

    [Theory]
    [InlineData("Smtp:ListenAddress", "mail.example.com")]
    [InlineData("Smtp:MaxSessions", "0")]
    public void Read_BadValue_NamesTheSetting(string key, string value)
    {
        var e = Assert.Throws<InvalidSettingException>(() => Read((key, value)));

        Assert.Equal(key, e.Setting);
    }

    private static SmtpOptions Read(params (string Key, string Value)[] values) =>
        SmtpOptions.Read(new SettingsReader(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build()));
}
