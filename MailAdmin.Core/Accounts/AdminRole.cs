namespace MailAdmin.Core.Accounts;

/// <summary>The administrator roles of the manual's chapter 9.</summary>
public enum AdminRole
{
    /// <summary>Whole server read/write: everything, including joining and leaving a distributed domain.</summary>
    ServerReadWrite,

    /// <summary>Whole server read-only: sees everything, changes nothing but their own password.</summary>
    ServerReadOnly,

    /// <summary>Administrator of one domain: its users, across every server of the distributed domain.</summary>
    DomainAdmin,
}

public static class AdminRoles
{
    public const string ServerReadWrite = "server-rw";
    public const string ServerReadOnly = "server-ro";
    public const string DomainAdmin = "domain-admin";

    public static string ToWire(this AdminRole role) => role switch
    {
        AdminRole.ServerReadWrite => ServerReadWrite,
        AdminRole.ServerReadOnly => ServerReadOnly,
        AdminRole.DomainAdmin => DomainAdmin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string? value, out AdminRole role)
    {
        switch (value)
        {
            case ServerReadWrite: role = AdminRole.ServerReadWrite; return true;
            case ServerReadOnly: role = AdminRole.ServerReadOnly; return true;
            case DomainAdmin: role = AdminRole.DomainAdmin; return true;
            default: role = default; return false;
        }
    }

    /// <summary>How the console shows the role, in the manual's words.</summary>
    public static string DisplayName(this AdminRole role) => role switch
    {
        AdminRole.ServerReadWrite => "Whole server read/write",
        AdminRole.ServerReadOnly => "Whole server read-only",
        AdminRole.DomainAdmin => "Domain administrator",
        _ => role.ToString(),
    };
}
