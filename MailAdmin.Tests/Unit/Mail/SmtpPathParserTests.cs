using MailAdmin.Core.Mail.Smtp;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class SmtpPathParserTests
{
    [Theory]
    [InlineData("<user@example.com>", "user", "example.com")]
    [InlineData("<User.Name+tag@Example.COM>", "User.Name+tag", "example.com")]
    [InlineData(" <user@example.com>", "user", "example.com")]
    [InlineData("<@a.example,@b.example:user@c.example>", "user", "c.example")]
    [InlineData("<\"john smith\"@example.com>", "john smith", "example.com")]
    [InlineData("<\"a\\\"b\\\\c\"@example.com>", "a\"b\\c", "example.com")]
    [InlineData("<\"user@foreign.example\"@example.com>", "user@foreign.example", "example.com")]
    [InlineData("<user%foreign.example@example.com>", "user%foreign.example", "example.com")]
    [InlineData("<user@bücher.example>", "user", "xn--bcher-kva.example")]
    [InlineData("<user@[192.0.2.1]>", "user", "[192.0.2.1]")]
    [InlineData("<user@[IPv6:2001:DB8::1]>", "user", "[IPv6:2001:db8::1]")]
    [InlineData("<jörg@example.com>", "jörg", "example.com")]
    public void Parse_ValidPaths(string text, string localPart, string domain)
    {
        var parsed = SmtpPathParser.Parse(text, allowNull: false);

        Assert.True(parsed.Ok, parsed.Error);
        Assert.Equal(localPart, parsed.Path!.LocalPart);
        Assert.Equal(domain, parsed.Path.Domain);
    }

    [Fact]
    public void Parse_NullPath_OnlyWhereAllowed()
    {
        Assert.True(SmtpPathParser.Parse("<>", allowNull: true) is { Ok: true, Path: null });
        Assert.False(SmtpPathParser.Parse("<>", allowNull: false).Ok);
    }

    [Fact]
    public void Parse_Parameters_KeywordsUpperCased()
    {
        var parsed = SmtpPathParser.Parse("<a@example.com> size=100 BODY=8BITMIME SMTPUTF8", allowNull: true);

        Assert.True(parsed.Ok);
        Assert.Equal(
            [new("SIZE", "100"), new("BODY", "8BITMIME"), new KeyValuePair<string, string?>("SMTPUTF8", null)],
            parsed.Parameters);
    }

    [Theory]
    [InlineData("user@example.com")]
    [InlineData("<user@example.com")]
    [InlineData("<user>")]
    [InlineData("<@example.com>")]
    [InlineData("<user@>")]
    [InlineData("<.user@example.com>")]
    [InlineData("<us..er@example.com>")]
    [InlineData("<us er@example.com>")]
    [InlineData("<user@exa_mple.com>")]
    [InlineData("<user@example.com.>")]
    [InlineData("<user@[1.2.3]>")]
    [InlineData("<user@[IPv6:nonsense]>")]
    [InlineData("<@a.example:>")]
    [InlineData("<@a.example user@example.com>")]
    [InlineData("<\"unterminated@example.com>")]
    [InlineData("<user@example.com>SIZE=1")]
    [InlineData("<user@example.com> =1")]
    public void Parse_Malformed_Refused(string text)
    {
        var parsed = SmtpPathParser.Parse(text, allowNull: true);

        Assert.False(parsed.Ok);
        Assert.False(string.IsNullOrEmpty(parsed.Error));
    }

    [Fact]
    public void Parse_LocalPartOver64Octets_Refused()
    {
        Assert.False(SmtpPathParser.Parse($"<{new string('a', 65)}@example.com>", allowNull: false).Ok);
        Assert.True(SmtpPathParser.Parse($"<{new string('a', 64)}@example.com>", allowNull: false).Ok);
    }
}
