namespace MailAdmin.Core.Accounts;

/// <summary>What an administrator password must be.</summary>
public static class PasswordRules
{
    public const int MinLength = 10;
    public const int MaxLength = 256;

    /// <summary>Null when the password is acceptable, otherwise what is wrong with it.</summary>
    public static string? Check(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinLength)
        {
            return $"a password needs at least {MinLength} characters.";
        }

        if (password.Length > MaxLength)
        {
            return $"a password may have at most {MaxLength} characters.";
        }

        if (password.Any(char.IsControl))
        {
            return "a password may not contain control characters.";
        }

        return string.IsNullOrWhiteSpace(password) ? "a password cannot be only spaces." : null;
    }
}
