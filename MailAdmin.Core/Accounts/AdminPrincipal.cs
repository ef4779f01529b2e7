namespace MailAdmin.Core.Accounts;

/// <summary>
/// A signed-in administrator. <see cref="Id"/> is the principal as the admin
/// list names it: <c>local:admin</c>, <c>user:ann@company.com</c>.
/// </summary>
public sealed record AdminPrincipal(string Id, string DisplayName, AdminRole Role, string? Domain)
{
    public const string LocalPrefix = "local:";

    public bool IsLocal => Id.StartsWith(LocalPrefix, StringComparison.Ordinal);

    public static string LocalId(string name) => LocalPrefix + name;
}

/// <summary>Who asks for an operation, and from where: what the audit log records.</summary>
public sealed record Actor(AdminPrincipal Principal, string ClientAddress)
{
    /// <summary>The node itself, for scheduled work such as the periodic directory sync.</summary>
    public static Actor System { get; } = new(new AdminPrincipal("system", "system", AdminRole.ServerReadWrite, null), "local");

    public string Name => Principal.Id;
}
