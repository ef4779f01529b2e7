namespace MailAdmin.Core.Accounts;

/// <summary>
/// Carries out a change of a user whose mailbox lives on another server of the
/// distributed domain: the home server checks the administrator's rights again and
/// makes the change (manual, chapter 9).
/// </summary>
public interface IHomeServerAdministration
{
    /// <summary>Sets whether the user may sign in; returns the user's state as the home server now has it.</summary>
    Task<bool> SetEnabledAsync(Actor actor, string homeServer, string address, bool? enabled, CancellationToken cancellationToken);
}
