namespace MailAdmin.Core.Accounts;

/// <summary>
/// What an operation needs. Every feature declares the permission its
/// operations require; <see cref="AccessPolicy"/> alone decides which role
/// holds it, for the console and the API alike.
/// </summary>
public enum Permission
{
    /// <summary>See the node's identity, role and health.</summary>
    ViewNode,

    /// <summary>Change one's own password.</summary>
    ChangeOwnPassword,

    /// <summary>See the licence in full: seats, where they come from, who is beyond them.</summary>
    ViewLicence,

    /// <summary>Read the audit log.</summary>
    ViewAudit,

    /// <summary>See who administers this server.</summary>
    ViewAdministrators,

    /// <summary>Grant and revoke administrator roles, create local administrators.</summary>
    ManageAdministrators,

    /// <summary>See domains and their settings (domain-scoped).</summary>
    ViewDomains,

    /// <summary>Add, rename, delete domains and set their directory service.</summary>
    ManageDomains,

    /// <summary>See users and groups (domain-scoped).</summary>
    ViewUsers,

    /// <summary>Edit users, migrate their mailboxes (domain-scoped).</summary>
    ManageUsers,

    /// <summary>Connect this server to a distributed domain or disconnect it.</summary>
    ManageCluster,

    /// <summary>
    /// See the mail queue (domain-scoped): a domain administrator sees only the messages
    /// with a recipient in their domain, and of those only their domain's recipients.
    /// </summary>
    ViewQueue,

    /// <summary>Retry, hold, release and delete queued messages (server-wide only).</summary>
    ManageQueue,
}
