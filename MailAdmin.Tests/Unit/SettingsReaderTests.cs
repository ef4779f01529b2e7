using MailAdmin.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailAdmin.Tests.Unit;

public sealed class SettingsReaderTests
{
    [Fact]
    public void Port_Absent_ReturnsFallback()
    {
        Assert.Equal(44337, Reader().Port("Cluster:Port", 44337));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("25", 25)]
    [InlineData(" 2525 ", 2525)]
    [InlineData("65535", 65535)]
    public void Port_Valid_ReturnsNumber(string raw, int expected)
    {
        Assert.Equal(expected, Reader(("Cluster:Port", raw)).Port("Cluster:Port", 44337));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData(" 12x")]
    [InlineData("+25")]
    [InlineData("2.5")]
    [InlineData("99999999999")]
    public void Port_Malformed_ThrowsNamingTheSetting(string raw)
    {
        var e = Assert.Throws<InvalidSettingException>(() => Reader(("Cluster:Port", raw)).Port("Cluster:Port", 44337));

        Assert.Equal("Cluster:Port", e.Setting);
        Assert.StartsWith("Invalid setting Cluster:Port:", e.Message, StringComparison.Ordinal);
        Assert.Contains(raw.Trim(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostAndPort_Absent_ReturnsNull()
    {
        Assert.Null(Reader().HostAndPort("Smtp:RelayHost", 25));
    }

    [Theory]
    [InlineData("relay.example.com:2525", "relay.example.com", 2525)]
    [InlineData("relay.example.com", "relay.example.com", 25)]
    [InlineData(" relay.example.com ", "relay.example.com", 25)]
    [InlineData("192.0.2.1:587", "192.0.2.1", 587)]
    [InlineData("[::1]:25", "::1", 25)]
    [InlineData("[2001:db8::1]:2525", "2001:db8::1", 2525)]
    [InlineData("[2001:db8::1]", "2001:db8::1", 25)]
    public void HostAndPort_Valid_ReturnsHostAndPort(string raw, string host, int port)
    {
        Assert.Equal((host, port), Reader(("Smtp:RelayHost", raw)).HostAndPort("Smtp:RelayHost", 25));
    }

    [Theory]
    [InlineData("host:0")]
    [InlineData("host:abc")]
    [InlineData("host:65536")]
    [InlineData("host:-25")]
    [InlineData("host:")]
    [InlineData("bad host")]
    [InlineData(":25")]
    [InlineData("bad host:25")]
    public void HostAndPort_Malformed_ThrowsNamingTheSetting(string raw)
    {
        var e = Assert.Throws<InvalidSettingException>(() => Reader(("Smtp:RelayHost", raw)).HostAndPort("Smtp:RelayHost", 25));

        Assert.Equal("Smtp:RelayHost", e.Setting);
        Assert.StartsWith("Invalid setting Smtp:RelayHost:", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("  node1  ", "node1")]
    public void Text_TrimsAndTreatsBlankAsAbsent(string? raw, string? expected)
    {
        Assert.Equal(expected, Reader(("Node:Name", raw)).Text("Node:Name"));
    }

    [Theory]
    [InlineData("  Secret with spaces  ")]
    [InlineData("   ")]
    [InlineData("\tTabbed")]
    public void Secret_Present_ReturnsValueExactlyAsWritten(string raw)
    {
        Assert.Equal(raw, Reader(("Admin:InitialPassword", raw)).Secret("Admin:InitialPassword"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Secret_AbsentOrEmpty_ReturnsNull(string? raw)
    {
        Assert.Null(Reader(("Admin:InitialPassword", raw)).Secret("Admin:InitialPassword"));
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData("-3", -3)]
    [InlineData(" 10 ", 10)]
    public void Number_InRange_ReturnsValue(string raw, int expected)
    {
        Assert.Equal(expected, Reader(("Queue:Retries", raw)).Number("Queue:Retries", 1, -5, 10));
    }

    [Theory]
    [InlineData("11")]
    [InlineData("-6")]
    [InlineData("ten")]
    public void Number_OutOfRangeOrMalformed_ThrowsNamingTheSetting(string raw)
    {
        var e = Assert.Throws<InvalidSettingException>(() => Reader(("Queue:Retries", raw)).Number("Queue:Retries", 1, -5, 10));

        Assert.Equal("Queue:Retries", e.Setting);
        Assert.StartsWith("Invalid setting Queue:Retries:", e.Message, StringComparison.Ordinal);
    }

    private static SettingsReader Reader(params (string Key, string? Value)[] values) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());
}
