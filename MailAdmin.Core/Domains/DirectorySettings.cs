using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Core.Domains;

/// <summary>Where a domain's users and groups come from.</summary>
public sealed class DirectorySettings
{
    public int DomainId { get; set; }

    public required string Host { get; set; }

    public int Port { get; set; }

    public DirectorySecurity Security { get; set; }

    public required string BindDn { get; set; }

    /// <summary>The bind password, encrypted with the node's data-protection keys.</summary>
    public required string ProtectedBindPassword { get; set; }

    public required string BaseDn { get; set; }

    public DirectoryProfileKind Profile { get; set; }

    public string? UserFilter { get; set; }

    public string? GroupFilter { get; set; }

    /// <summary>This node's filter: directory users matching it get their mailbox here when first mapped.</summary>
    public string? PlacementFilter { get; set; }

    /// <summary>A CA certificate (PEM) to trust for the directory's TLS certificate.</summary>
    public string? TrustedCaPem { get; set; }

    public DateTimeOffset? LastSyncAt { get; set; }

    /// <summary><c>success</c>, or what went wrong at the last sync.</summary>
    public string? LastSyncResult { get; set; }
}
