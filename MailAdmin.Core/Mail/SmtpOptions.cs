using System.Net;
using System.Net.Sockets;
using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Mail;

/// <summary>
/// The mail engine's listeners, limits and outbound route (<c>Smtp:*</c>). Limits default to
/// Postfix's: they are what other mail servers on the Internet expect.
/// </summary>
public sealed class SmtpOptions
{
    /// <summary>SMTP for incoming mail (25 in production); 0 picks a free port.</summary>
    public required int Port { get; init; }

    /// <summary>Authenticated submission (587 in production); 0 picks a free port.</summary>
    public required int SubmissionPort { get; init; }

    /// <summary>
    /// The address both listeners bind. By default every interface: the IPv6 "any" address in
    /// dual mode (so IPv4 clients arrive too) where the system has IPv6, else <c>0.0.0.0</c>.
    /// </summary>
    public IPAddress ListenAddress { get; init; } = AllInterfaces;

    /// <summary>Sessions open at once over both ports; a client beyond it is told <c>421 4.7.0</c> to come back later.</summary>
    public int MaxSessions { get; init; } = 500;

    /// <summary>Where external mail goes instead of an MX lookup, if set.</summary>
    public (string Host, int Port)? RelayHost { get; init; }

    /// <summary>The name in the greeting, <c>Received:</c> headers and bounces; the machine's name by default.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>A PKCS#12 file with the listeners' certificate; absent, a self-signed one is made in the data directory.</summary>
    public string? CertificatePath { get; init; }

    public string? CertificatePassword { get; init; }

    /// <summary>Largest message accepted, in bytes (SIZE, RFC 1870): <c>552 5.3.4</c> above it.</summary>
    public long MaxMessageSize { get; init; } = 10_240_000;

    /// <summary>Recipients per message: <c>452 4.5.3</c> beyond it (the client sends the rest in another message).</summary>
    public int MaxRecipients { get; init; } = 1000;

    /// <summary>Longest command line, CRLF included (RFC 5321 §4.5.3.1.4 says at least 512).</summary>
    public int MaxCommandLine { get; init; } = 512;

    /// <summary>Longest line of message text, CRLF included (RFC 5321 §4.5.3.1.6: 1000).</summary>
    public int MaxTextLine { get; init; } = 1000;

    /// <summary>A client silent for this long is disconnected (<c>421 4.4.2</c>).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A client that makes this many errors in one session is disconnected (<c>421 4.7.0</c>).</summary>
    public int MaxErrors { get; init; } = 20;

    public static SmtpOptions Read(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new SmtpOptions
        {
            Port = settings.Port("Smtp:Port", 2525),
            SubmissionPort = settings.Port("Smtp:SubmissionPort", 2587),
            RelayHost = settings.HostAndPort("Smtp:RelayHost", 25),
            ListenAddress = ReadAddress(settings),
            MaxSessions = settings.Number("Smtp:MaxSessions", 500, 1, 100_000),
            HostName = settings.Text("Smtp:HostName", Environment.MachineName),
            CertificatePath = settings.Text("Smtp:CertificatePath"),
            CertificatePassword = settings.Secret("Smtp:CertificatePassword"),
            MaxMessageSize = settings.Number("Smtp:MaxMessageSize", 10_240_000, 1024, int.MaxValue),
            MaxRecipients = settings.Number("Smtp:MaxRecipients", 1000, 1, 100_000),
            MaxCommandLine = settings.Number("Smtp:MaxCommandLine", 512, 512, 65_536),
            MaxTextLine = settings.Number("Smtp:MaxTextLine", 1000, 1000, 1_000_000),
            IdleTimeout = TimeSpan.FromSeconds(settings.Fraction("Smtp:IdleTimeoutSeconds", 300, 1, 3600)),
            MaxErrors = settings.Number("Smtp:MaxErrors", 20, 1, 1000),
        };
        if (options.Port != 0 && options.Port == options.SubmissionPort)
        {
            throw new InvalidSettingException("Smtp:SubmissionPort", $"{options.SubmissionPort} is already Smtp:Port; give submission a port of its own.");
        }

        return options;
    }

    private static IPAddress AllInterfaces => Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;

    private static IPAddress ReadAddress(SettingsReader settings)
    {
        var raw = settings.Text("Smtp:ListenAddress");
        if (raw is null)
        {
            return AllInterfaces;
        }

        return IPAddress.TryParse(raw.Trim('[', ']'), out var address)
            ? address
            : throw new InvalidSettingException("Smtp:ListenAddress", $"'{raw}' is not an IP address. Write one such as 0.0.0.0 (every IPv4 interface), :: (every interface) or 127.0.0.1.");
    }
}
