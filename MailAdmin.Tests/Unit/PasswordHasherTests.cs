using System.Globalization;
using System.Security.Cryptography;
using MailAdmin.Core.Accounts;

namespace MailAdmin.Tests.Unit;

public sealed class PasswordHasherTests
{
    private const string Password = "Correct-Horse-Battery-9";

    [Fact]
    public void Verify_SamePassword_ReturnsTrue()
    {
        var stored = PasswordHasher.Hash(Password);

        Assert.True(PasswordHasher.Verify(Password, stored));
    }

    [Theory]
    [InlineData("Correct-Horse-Battery-8")]
    [InlineData("correct-horse-battery-9")]
    [InlineData("Correct-Horse-Battery-9 ")]
    [InlineData("")]
    public void Verify_WrongPassword_ReturnsFalse(string attempt)
    {
        var stored = PasswordHasher.Hash(Password);

        Assert.False(PasswordHasher.Verify(attempt, stored));
    }

    [Fact]
    public void Hash_SamePasswordTwice_GivesDifferentSaltsAndHashes()
    {
        var first = PasswordHasher.Hash(Password).Split('$');
        var second = PasswordHasher.Hash(Password).Split('$');

        Assert.NotEqual(first[2], second[2]);
        Assert.NotEqual(first[3], second[3]);
    }

    [Fact]
    public void Hash_AnyPassword_IsPbkdf2Sha512With210000IterationsSalt16AndKey32()
    {
        var stored = PasswordHasher.Hash(Password);

        Assert.StartsWith("pbkdf2-sha512$210000$", stored, StringComparison.Ordinal);
        var parts = stored.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Theory]
    [InlineData("pässwörd-Ünïcödé")]
    [InlineData("пароль-секрет-123")]
    [InlineData("密码密码密码密码密码")]
    [InlineData("🔑🔑🔑 emoji key 🔑")]
    public void Verify_UnicodePassword_RoundTrips(string password)
    {
        var stored = PasswordHasher.Hash(password);

        Assert.True(PasswordHasher.Verify(password, stored));
        Assert.False(PasswordHasher.Verify(password + "x", stored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash at all")]
    [InlineData("pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("bcrypt$210000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$210000$not*base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0c2FsdA==$%%%")]
    [InlineData("pbkdf2-sha512$0$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$-1$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$many$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$99999999999$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0c2FsdA==")]
    [InlineData("pbkdf2-sha512$210000")]
    [InlineData("pbkdf2-sha512")]
    [InlineData("pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$extra")]
    public void Verify_MalformedStoredValue_ReturnsFalse(string stored)
    {
        Assert.False(PasswordHasher.Verify(Password, stored));
    }

    [Fact]
    public void Verify_TamperedKey_ReturnsFalse()
    {
        var parts = PasswordHasher.Hash(Password).Split('$');
        var key = Convert.FromBase64String(parts[3]);
        key[0] ^= 0x01;
        parts[3] = Convert.ToBase64String(key);

        Assert.False(PasswordHasher.Verify(Password, string.Join('$', parts)));
    }

    [Fact]
    public void Verify_TamperedSalt_ReturnsFalse()
    {
        var parts = PasswordHasher.Hash(Password).Split('$');
        var salt = Convert.FromBase64String(parts[2]);
        salt[^1] ^= 0x80;
        parts[2] = Convert.ToBase64String(salt);

        Assert.False(PasswordHasher.Verify(Password, string.Join('$', parts)));
    }

    [Fact]
    public void Verify_TamperedIterationCount_ReturnsFalse()
    {
        var stored = PasswordHasher.Hash(Password).Replace("$210000$", "$210001$", StringComparison.Ordinal);

        Assert.False(PasswordHasher.Verify(Password, stored));
    }

    // A stored value whose key part is empty derives an empty key, and two empty
    // keys compare equal: every password would then be accepted for that account.
    [Theory]
    [InlineData("pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0c2FsdA==$")]
    [InlineData("pbkdf2-sha512$1$$")]
    public void Verify_EmptyKeyPart_ReturnsFalse(string stored)
    {
        Assert.False(PasswordHasher.Verify(Password, stored));
        Assert.False(PasswordHasher.Verify("any other password", stored));
    }

    [Fact]
    public void Verify_HashWithLowerIterationCount_StillVerifies()
    {
        var stored = HashWithIterations(Password, 100_000);

        Assert.True(PasswordHasher.Verify(Password, stored));
        Assert.False(PasswordHasher.Verify("Wrong-Password-1", stored));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(2_000_000_000)]
    public void Verify_IterationCountOutsideTheSaneRange_ReturnsFalseWithoutWorking(int iterations)
    {
        var stored = $"pbkdf2-sha512${iterations}${Convert.ToBase64String(new byte[16])}${Convert.ToBase64String(new byte[32])}";

        Assert.False(PasswordHasher.Verify(Password, stored));
    }

    [Fact]
    public void NeedsRehash_FreshHash_ReturnsFalse()
    {
        Assert.False(PasswordHasher.NeedsRehash(PasswordHasher.Hash(Password)));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    [InlineData(209_999)]
    [InlineData(21_000)]
    public void NeedsRehash_LowerIterationHash_ReturnsTrue(int iterations)
    {
        Assert.True(PasswordHasher.NeedsRehash(HashWithIterations(Password, iterations)));
    }

    private static string HashWithIterations(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, 32);
        return string.Join('$', "pbkdf2-sha512", iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(key));
    }
}
