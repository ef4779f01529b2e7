namespace MailAdmin.Core.Mail;

/// <summary>
/// An SMTP reply: the three-digit code, the enhanced status code (RFC 3463) and a text that
/// tells the person reading a bounce what was wrong and what to do.
/// </summary>
public sealed record SmtpReply(int Code, string Enhanced, string Text)
{
    public bool IsPositive => Code is >= 200 and < 400;

    public bool IsPermanent => Code >= 500;

    public override string ToString() => $"{Code} {Enhanced} {Text}";
}
