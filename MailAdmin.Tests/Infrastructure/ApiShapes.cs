namespace MailAdmin.Tests.Infrastructure;

/// <summary>The admin API's JSON shapes, as a client outside the product reads them (API.md).</summary>
public sealed record AdminDto(string Principal, string Role, string? Domain);

public sealed record AuditItemDto(DateTimeOffset At, string Actor, string ClientAddress, string Action, string Target, string Result);

public sealed record AuditPageDto(List<AuditItemDto> Items, int Total);

public sealed record DirectoryDto(
    string Host, int Port, string Security, string BindDn, string BaseDn, string Profile,
    string? UserFilter, string? GroupFilter, string? PlacementFilter, bool TrustsCustomCa, DateTimeOffset? LastSyncAt, string? LastSyncResult);

public sealed record DomainDto(string Name, string DisplayName, bool Distributed, DirectoryDto? Directory, int UserCount, string? Description = null);

public sealed record UserDto(
    string Address, string DisplayAddress, string Name, string Source, string HomeServer, bool Enabled, bool MissingFromDirectory,
    List<string> Aliases, List<string> Groups, object? Migration);

public sealed record UserPageDto(List<UserDto> Items, int Total);

public sealed record UserDetailDto(UserDto User, string? DirectoryDn, string? Login, Dictionary<string, string> Attributes);

public sealed record SyncDto(int Added, int Updated, int Disabled, int Removed, int GroupsAdded, int GroupsUpdated, int GroupsRemoved, List<string> Skipped, long DurationMs);

public sealed record GroupDto(string? Address, string Name, List<string> Members);

public sealed record QueueRecipientDto(string Address, string State, DateTimeOffset? NextAttempt, int Attempts, string? LastError, string? Original);

public sealed record QueueMessageDto(string Id, string From, List<QueueRecipientDto> Recipients, long Size, DateTimeOffset ReceivedAt, bool Held, string Kind);

public sealed record ClusterServerDto(string Name, string Host, bool IsMaster, bool IsLocal, string Status, List<string> Errors, string DomainStatus, string ConsoleUrl);

public sealed record ClusterDto(string Role, string? Master, List<ClusterServerDto> Servers);

public sealed record DistributableDto(string Fingerprint, List<string> Domains);

public sealed record ConnectResultDto(string Role);

public sealed record ConflictDto(string Type, string Name, string Domain, string HomeServer);

public sealed record HomeServerDto(string Address, string HomeServer, long Epoch);

public sealed record LicenceDto(int? Seats, int Used, int? Free, string State, string Source, string? Licensee);

public sealed record NodeDto(string Name, string Host, string Role, string Version, LicenceDto Licence);

public sealed record LicenceDetailDto(int? Seats, int Used, int? Free, string State, string Source, string? Licensee, List<string> Beyond)
{
    /// <summary>The part <c>GET /api/v1/node</c> shows too.</summary>
    public LicenceDto Summary => new(Seats, Used, Free, State, Source, Licensee);
}
