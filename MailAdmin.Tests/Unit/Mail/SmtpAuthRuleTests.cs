using System.Net;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Smtp;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class SmtpAuthRuleTests
{
    private readonly SmtpAuthRule _rule = new();

    [Theory]
    [InlineData("203.0.113.5", false, false)]
    [InlineData("203.0.113.5", true, true)]
    [InlineData("2001:db8::5", false, false)]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("127.0.0.2", false, true)]
    [InlineData("::1", false, true)]
    [InlineData("::ffff:127.0.0.1", false, true)]
    [InlineData("::ffff:203.0.113.5", false, false)]
    public void IsOffered_Submission_OnlyEncryptedOrLocal(string address, bool secure, bool offered) =>
        Assert.Equal(offered, _rule.IsOffered(SmtpPort.Submission, secure, IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("203.0.113.5", true)]
    public void IsOffered_IncomingPort_Never(string address, bool secure) =>
        Assert.False(_rule.IsOffered(SmtpPort.Incoming, secure, IPAddress.Parse(address)));
}
