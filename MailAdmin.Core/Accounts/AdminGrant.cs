namespace MailAdmin.Core.Accounts;

/// <summary>One line of the administrator list: a principal and its role.</summary>
public sealed class AdminGrant
{
    public int Id { get; set; }

    /// <summary><c>local:name</c>, <c>user:address</c> or <c>group:address</c>.</summary>
    public required string Principal { get; set; }

    public AdminRole Role { get; set; }

    /// <summary>The administered domain, for <see cref="AdminRole.DomainAdmin"/>.</summary>
    public string? Domain { get; set; }
}
