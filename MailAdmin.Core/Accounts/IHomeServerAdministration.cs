namespace MailAdmin.Core.Accounts;

/// <summary>What a change of a directory user may set; null leaves a setting as it is.</summary>
public sealed record DirectoryUserChanges(bool? Enabled, bool? HiddenFromAddressList);

/// <summary>A directory user's settings as their home server now has them.</summary>
public sealed record DirectoryUserState(bool Enabled, bool HiddenFromAddressList);

/// <summary>
/// Carries out a change of a user whose mailbox lives on another server of the
/// distributed domain: the home server checks the administrator's rights again and
/// makes the change (manual, chapter 9).
/// </summary>
public interface IHomeServerAdministration
{
    Task<DirectoryUserState> UpdateAsync(Actor actor, string homeServer, string address, DirectoryUserChanges changes, CancellationToken cancellationToken);
}
