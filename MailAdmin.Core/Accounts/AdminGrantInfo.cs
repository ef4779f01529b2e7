namespace MailAdmin.Core.Accounts;

/// <summary>One line of the administrator list as callers see and set it.</summary>
public sealed record AdminGrantInfo(string Principal, AdminRole Role, string? Domain);
