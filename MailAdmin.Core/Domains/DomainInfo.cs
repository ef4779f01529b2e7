using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Core.Domains;

/// <summary>A domain's directory settings as shown to administrators: never the password.</summary>
public sealed record DirectoryInfo(
    string Host,
    int Port,
    DirectorySecurity Security,
    string BindDn,
    string BaseDn,
    DirectoryProfileKind Profile,
    string? UserFilter,
    string? GroupFilter,
    string? PlacementFilter,
    bool TrustsCustomCa,
    DateTimeOffset? LastSyncAt,
    string? LastSyncResult)
{
    public static DirectoryInfo From(DirectorySettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.Host, s.Port, s.Security, s.BindDn, s.BaseDn, s.Profile, s.UserFilter, s.GroupFilter, s.PlacementFilter,
            s.TrustedCaPem is not null, s.LastSyncAt, s.LastSyncResult);
    }
}

/// <summary>A domain as the domain list shows it.</summary>
public sealed record DomainInfo(string Name, string DisplayName, bool Distributed, DirectoryInfo? Directory, int UserCount, string? Description = null);

/// <summary>
/// What an administrator sets for a domain's directory. A null
/// <see cref="BindPassword"/> keeps the stored one, so other fields can be
/// edited without typing the password again.
/// </summary>
public sealed record DirectoryInput(
    string Host,
    int Port,
    DirectorySecurity Security,
    string BindDn,
    string? BindPassword,
    string BaseDn,
    DirectoryProfileKind Profile,
    string? UserFilter = null,
    string? GroupFilter = null,
    string? PlacementFilter = null,
    string? TrustedCaPem = null);
