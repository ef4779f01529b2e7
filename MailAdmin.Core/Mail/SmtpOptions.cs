using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Mail;

/// <summary>The mail engine's listeners and outbound route (<c>Smtp:*</c>).</summary>
public sealed class SmtpOptions
{
    /// <summary>SMTP for incoming mail (25 in production); 0 picks a free port.</summary>
    public required int Port { get; init; }

    /// <summary>Authenticated submission (587 in production); 0 picks a free port.</summary>
    public required int SubmissionPort { get; init; }

    /// <summary>Where external mail goes instead of an MX lookup, if set.</summary>
    public (string Host, int Port)? RelayHost { get; init; }

    public static SmtpOptions Read(SettingsReader settings)
    {
        var options = new SmtpOptions
        {
            Port = settings.Port("Smtp:Port", 2525),
            SubmissionPort = settings.Port("Smtp:SubmissionPort", 2587),
            RelayHost = settings.HostAndPort("Smtp:RelayHost", 25),
        };
        if (options.Port != 0 && options.Port == options.SubmissionPort)
        {
            throw new InvalidSettingException("Smtp:SubmissionPort", $"{options.SubmissionPort} is already Smtp:Port; give submission a port of its own.");
        }

        return options;
    }
}
