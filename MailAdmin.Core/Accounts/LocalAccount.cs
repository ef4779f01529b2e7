namespace MailAdmin.Core.Accounts;

/// <summary>An administrator account kept on this node only (not from a directory).</summary>
public sealed class LocalAccount
{
    public int Id { get; set; }

    /// <summary>Sign-in name, stored in lower case.</summary>
    public required string Name { get; set; }

    public required string PasswordHash { get; set; }

    /// <summary>Changes whenever the password does, which ends every other session of the account.</summary>
    public required string SecurityStamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset PasswordChangedAt { get; set; }
}
