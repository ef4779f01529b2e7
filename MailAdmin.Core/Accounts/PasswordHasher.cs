using System.Globalization;
using System.Security.Cryptography;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// Salted slow password hashes: PBKDF2 with HMAC-SHA512, 210,000 iterations
/// (OWASP's 2023 figure), a 16-byte random salt and a 32-byte key, stored as
/// <c>pbkdf2-sha512$iterations$salt$hash</c>. The parameters travel with the
/// hash, so raising the cost later re-hashes each password at its next login.
/// </summary>
public static class PasswordHasher
{
    private const string Scheme = "pbkdf2-sha512";
    private const int Iterations = 210_000;
    private const int SaltSize = 16;
    private const int KeySize = 32;

    // Bounds for a stored hash: a damaged or planted value must neither verify
    // everything (an empty key) nor keep a core busy for hours (a huge count).
    private const int MinIterations = 10_000;
    private const int MaxIterations = 10_000_000;

    // Verified against when the account does not exist, so that an unknown
    // name costs the same time as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var key = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, KeySize);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(key));
    }

    public static bool Verify(string password, string stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(stored);
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (salt.Length < SaltSize || expected.Length != KeySize)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one verification, for an account that does not exist.</summary>
    public static void VerifyDecoy(string password) => Verify(password, Decoy.Value);

    public static bool NeedsRehash(string stored) => !stored.StartsWith($"{Scheme}${Iterations.ToString(CultureInfo.InvariantCulture)}$", StringComparison.Ordinal);
}
