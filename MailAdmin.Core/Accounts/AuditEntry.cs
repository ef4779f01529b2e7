namespace MailAdmin.Core.Accounts;

/// <summary>One recorded action: who did what to what, from where, and how it ended.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string ClientAddress { get; set; }

    /// <summary>A dotted verb such as <c>session.login</c>.</summary>
    public required string Action { get; set; }

    public required string Target { get; set; }

    /// <summary><c>success</c>, or the stable code of the refusal.</summary>
    public required string Result { get; set; }
}
