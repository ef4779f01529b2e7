using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Accounts;

/// <summary>The local administrator made on first start (<c>Admin:*</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>Password of <c>admin</c> on first start only; null makes a random one.</summary>
    public string? InitialPassword { get; init; }

    public static AdminOptions Read(SettingsReader settings)
    {
        var password = settings.Secret("Admin:InitialPassword");
        if (password is not null && PasswordRules.Check(password) is { } problem)
        {
            throw new InvalidSettingException("Admin:InitialPassword", problem);
        }

        return new AdminOptions { InitialPassword = password };
    }
}
