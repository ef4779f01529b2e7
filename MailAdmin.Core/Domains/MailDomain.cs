namespace MailAdmin.Core.Domains;

/// <summary>
/// A mail domain this node serves. Addresses of users, aliases and lists
/// refer to the domain by id and keep only their local part, so renaming a
/// domain is a change of one row.
/// </summary>
public sealed class MailDomain
{
    public int Id { get; set; }

    /// <summary>The name in its ASCII (IDNA) form, lower case: <c>xn--bcher-kva.example</c>.</summary>
    public required string Name { get; set; }

    /// <summary>True while the domain is part of a distributed domain.</summary>
    public bool IsDistributed { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>A note for administrators; in a distributed domain set on the master and inherited.</summary>
    public string? Description { get; set; }

    /// <summary>Version of the settings a slave inherited from its master; 0 when not inherited.</summary>
    public long SettingsVersion { get; set; }

    public DirectorySettings? Directory { get; set; }
}
