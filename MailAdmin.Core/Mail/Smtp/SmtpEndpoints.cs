using System.Net;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Where the SMTP listeners are bound once they have started: with port 0 in the settings,
/// this is how tests and the node's information learn the port the system chose. The
/// distributed domain announces <see cref="Incoming"/>'s port and
/// <see cref="CertificateThumbprint"/> to the other nodes, which forward mail there and pin
/// that certificate.
/// </summary>
public sealed class SmtpEndpoints
{
    private IPEndPoint? _incoming;
    private IPEndPoint? _submission;
    private string? _thumbprint;

    /// <summary>The incoming port's endpoint (<c>Smtp:Port</c>).</summary>
    public IPEndPoint Incoming => _incoming ?? throw NotStarted();

    /// <summary>The submission port's endpoint (<c>Smtp:SubmissionPort</c>).</summary>
    public IPEndPoint Submission => _submission ?? throw NotStarted();

    /// <summary>SHA-256 (lower-case hex) of the certificate both listeners present after STARTTLS.</summary>
    public string CertificateThumbprint => _thumbprint ?? throw NotStarted();

    public bool IsListening => _incoming is not null;

    internal void Set(IPEndPoint incoming, IPEndPoint submission, string certificateThumbprint)
    {
        _thumbprint = certificateThumbprint;
        _incoming = incoming;
        _submission = submission;
    }

    internal void Clear()
    {
        _incoming = null;
        _submission = null;
        _thumbprint = null;
    }

    private static InvalidOperationException NotStarted() => new("The SMTP listeners have not started.");
}
