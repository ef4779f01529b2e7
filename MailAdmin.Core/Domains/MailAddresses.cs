using System.Globalization;
using System.Text;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Domains;

/// <summary>A parsed address: its normalised local part and its domain in ASCII form.</summary>
public readonly record struct ParsedAddress(string LocalPart, string Domain)
{
    public override string ToString() => $"{LocalPart}@{Domain}";
}

/// <summary>
/// E-mail addresses as the node stores them: local part in Unicode NFC and
/// lower case (SMTPUTF8 allows non-ASCII local parts), domain in ASCII.
/// Quoted local parts are not accepted; no directory or mail client needs them.
/// </summary>
public static class MailAddresses
{
    private const string Specials = ".!#$%&'*+/=?^_`{|}~-";

    public static ParsedAddress Parse(string? address)
    {
        var value = (address ?? string.Empty).Trim();
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            throw Invalid(address);
        }

        var local = NormalizeLocalPart(value[..at]) ?? throw Invalid(address);
        if (!DomainNames.TryNormalize(value[(at + 1)..], out var domain))
        {
            throw Invalid(address);
        }

        return new ParsedAddress(local, domain);
    }

    public static bool TryParse(string? address, out ParsedAddress parsed)
    {
        try
        {
            parsed = Parse(address);
            return true;
        }
        catch (MailAdminException)
        {
            parsed = default;
            return false;
        }
    }

    /// <summary>
    /// <see cref="TryParse(string?, out ParsedAddress)"/> for many addresses in a few domains:
    /// <paramref name="domains"/> remembers each domain's ASCII form (null: not a domain), so
    /// the IDN mapping, the costly part, runs once a domain instead of once an address.
    /// </summary>
    public static bool TryParse(string? address, Dictionary<string, string?> domains, out ParsedAddress parsed)
    {
        ArgumentNullException.ThrowIfNull(domains);
        parsed = default;
        var value = (address ?? string.Empty).Trim();
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1 || NormalizeLocalPart(value[..at]) is not { } local)
        {
            return false;
        }

        var domainPart = value[(at + 1)..];
        if (!domains.TryGetValue(domainPart, out var domain))
        {
            domains[domainPart] = domain = DomainNames.TryNormalize(domainPart, out var ascii) ? ascii : null;
        }

        if (domain is null)
        {
            return false;
        }

        parsed = new ParsedAddress(local, domain);
        return true;
    }

    /// <summary>The stored form of a local part, or null when it is not a valid one.</summary>
    public static string? NormalizeLocalPart(string? localPart)
    {
        if (string.IsNullOrEmpty(localPart))
        {
            return null;
        }

        var normalized = localPart.Normalize(NormalizationForm.FormC).ToLowerInvariant();
        if (normalized.Length > 64 || normalized[0] == '.' || normalized[^1] == '.' || normalized.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var rune in normalized.EnumerateRunes())
        {
            var ok = rune.IsAscii
                ? char.IsAsciiLetterOrDigit((char)rune.Value) || Specials.Contains((char)rune.Value, StringComparison.Ordinal)
                : Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!ok)
            {
                return null;
            }
        }

        return normalized;
    }

    /// <summary>The address as people read it, with the domain in Unicode.</summary>
    public static string Display(string localPart, string domainAscii) => $"{localPart}@{DomainNames.ToUnicode(domainAscii)}";

    private static MailAdminException Invalid(string? address) =>
        MailAdminException.Invalid("invalid-address", $"'{(address is { Length: > 80 } a ? a[..80] + "…" : address)}' is not a valid e-mail address; write it like ann@company.com.");
}
