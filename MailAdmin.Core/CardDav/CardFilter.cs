using System.Globalization;
using System.Text;

namespace MailAdmin.Core.CardDav;

/// <summary>How a filter combines its tests (RFC 6352 section 10.5): any of them, or all of them.</summary>
public enum FilterTest
{
    AnyOf,
    AllOf,
}

public enum TextMatchType
{
    Contains,
    EqualTo,
    StartsWith,
    EndsWith,
}

/// <summary>The comparisons of RFC 6352 section 8.3: <c>i;unicode-casemap</c> (the default), <c>i;ascii-casemap</c>, <c>i;octet</c>.</summary>
public enum Collation
{
    UnicodeCaseMap,
    AsciiCaseMap,
    Octet,
}

/// <summary>A <c>CARDDAV:text-match</c>: the text, how it is compared, and whether the result is negated.</summary>
public sealed record TextMatch(string Text, Collation Collation, TextMatchType MatchType, bool Negate)
{
    public const string UnicodeCaseMap = "i;unicode-casemap";
    public const string AsciiCaseMap = "i;ascii-casemap";
    public const string Octet = "i;octet";

    public static IReadOnlyList<string> CollationNames { get; } = [UnicodeCaseMap, AsciiCaseMap, Octet];

    public static Collation? ParseCollation(string? name) => name switch
    {
        null or UnicodeCaseMap => Collation.UnicodeCaseMap,
        AsciiCaseMap => Collation.AsciiCaseMap,
        Octet => Collation.Octet,
        _ => null,
    };

    /// <summary>Whether the value matches; the negation applies to the comparison's outcome.</summary>
    public bool Matches(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var (haystack, needle, comparison) = Collation switch
        {
            Collation.Octet => (value, Text, StringComparison.Ordinal),
            Collation.AsciiCaseMap => (AsciiLower(value), AsciiLower(Text), StringComparison.Ordinal),

            // RFC 5051 in short: compatibility decomposition, then a case-insensitive ordinal comparison.
            _ => (value.Normalize(NormalizationForm.FormKD), Text.Normalize(NormalizationForm.FormKD), StringComparison.OrdinalIgnoreCase),
        };
        var found = MatchType switch
        {
            TextMatchType.EqualTo => string.Equals(haystack, needle, comparison),
            TextMatchType.StartsWith => haystack.StartsWith(needle, comparison),
            TextMatchType.EndsWith => haystack.EndsWith(needle, comparison),
            _ => haystack.Contains(needle, comparison),
        };
        return found != Negate;
    }

    private static string AsciiLower(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] + ('a' - 'A')) : source[i];
            }
        });
}

/// <summary>
/// A <c>CARDDAV:prop-filter</c>: with <see cref="IsNotDefined"/>, the card must lack the property;
/// otherwise it must have it and, when there are text matches, any or all of them (by
/// <see cref="Test"/>) must match one of the property's values.
/// </summary>
public sealed record PropFilter(string Name, FilterTest Test, bool IsNotDefined, IReadOnlyList<TextMatch> TextMatches)
{
    public bool Matches(IReadOnlyList<VCardProperty> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var values = properties.Where(p => string.Equals(p.Name, Name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).ToList();
        if (IsNotDefined)
        {
            return values.Count == 0;
        }

        if (values.Count == 0)
        {
            return false;
        }

        if (TextMatches.Count == 0)
        {
            return true;
        }

        bool Matched(TextMatch match) => values.Any(match.Matches);
        return Test == FilterTest.AllOf ? TextMatches.All(Matched) : TextMatches.Any(Matched);
    }
}

/// <summary>
/// A <c>CARDDAV:filter</c> of an addressbook-query: no prop-filter matches every card. The
/// properties a filter may name are the ones the Global Address List's cards carry.
/// </summary>
public sealed record CardFilter(FilterTest Test, IReadOnlyList<PropFilter> PropFilters)
{
    public static CardFilter All { get; } = new(FilterTest.AnyOf, []);

    /// <summary>The vCard properties a filter may test.</summary>
    public static IReadOnlySet<string> SupportedProperties { get; } =
        new HashSet<string>(["FN", "N", "EMAIL", "UID", "KIND", "TITLE", "ORG", "TEL", "NOTE"], StringComparer.OrdinalIgnoreCase);

    public bool Matches(AddressBookCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (PropFilters.Count == 0)
        {
            return true;
        }

        var properties = VCardProperties.Read(card.Text);
        return Test == FilterTest.AllOf ? PropFilters.All(f => f.Matches(properties)) : PropFilters.Any(f => f.Matches(properties));
    }

    public override string ToString() =>
        string.Join(Test == FilterTest.AllOf ? " and " : " or ", PropFilters.Select(f => f.Name.ToUpper(CultureInfo.InvariantCulture)));
}
