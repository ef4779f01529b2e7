namespace MailAdmin.Tests.Infrastructure;

/// <summary>The admin API's JSON shapes, as a client outside the product reads them (API.md).</summary>
public sealed record AdminDto(string Principal, string Role, string? Domain);

public sealed record AuditItemDto(DateTimeOffset At, string Actor, string ClientAddress, string Action, string Target, string Result);

public sealed record AuditPageDto(List<AuditItemDto> Items, int Total);
