using System.Net;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Where the SMTP listeners are bound once they have started: with port 0 in the settings,
/// this is how tests and the node's information learn the port the system chose.
/// </summary>
public sealed class SmtpEndpoints
{
    private IPEndPoint? _incoming;
    private IPEndPoint? _submission;

    /// <summary>The incoming port's endpoint (<c>Smtp:Port</c>).</summary>
    public IPEndPoint Incoming => _incoming ?? throw NotStarted();

    /// <summary>The submission port's endpoint (<c>Smtp:SubmissionPort</c>).</summary>
    public IPEndPoint Submission => _submission ?? throw NotStarted();

    public bool IsListening => _incoming is not null;

    /// <summary>SHA-256 (lower-case hex) of the certificate the listeners present after STARTTLS: peers pin it.</summary>
    public string? CertificateThumbprint { get; internal set; }

    internal void Set(IPEndPoint incoming, IPEndPoint submission)
    {
        _incoming = incoming;
        _submission = submission;
    }

    internal void Clear()
    {
        _incoming = null;
        _submission = null;
    }

    private static InvalidOperationException NotStarted() => new("The SMTP listeners have not started.");
}
