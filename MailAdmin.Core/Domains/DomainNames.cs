using System.Globalization;
using System.Text.RegularExpressions;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Domains;

/// <summary>
/// Domain names as typed by people and as stored: an internationalised name
/// (<c>bücher.example</c>) is kept in its ASCII form (<c>xn--bcher-kva.example</c>)
/// and shown in Unicode.
/// </summary>
public static partial class DomainNames
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>The stored form of a name, or the <c>invalid-domain-name</c> refusal.</summary>
    public static string Normalize(string? name)
    {
        var trimmed = (name ?? string.Empty).Trim().TrimEnd('.');
        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            throw Invalid(name);
        }

        if (ascii.Length > 253 || !ascii.Contains('.', StringComparison.Ordinal) || !Ascii().IsMatch(ascii))
        {
            throw Invalid(name);
        }

        return ascii;
    }

    public static bool TryNormalize(string? name, out string ascii)
    {
        try
        {
            ascii = Normalize(name);
            return true;
        }
        catch (MailAdminException)
        {
            ascii = string.Empty;
            return false;
        }
    }

    /// <summary>How people read the name.</summary>
    public static string ToUnicode(string ascii)
    {
        try
        {
            return Idn.GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            return ascii;
        }
    }

    private static MailAdminException Invalid(string? name) =>
        MailAdminException.Invalid("invalid-domain-name",
            $"'{Shorten(name)}' is not a valid domain name. Write it like company.com: labels of letters, digits and hyphens separated by dots.");

    private static string Shorten(string? value) => value is null ? string.Empty : value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex(@"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Ascii();
}
