using System.Text;
using System.Text.RegularExpressions;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>
/// A strict structural reading of one vCard 4.0 file, written for the tests and independent of
/// the node's code (RFC 6350): CRLF line ends, no physical line longer than 75 octets, lines
/// unfolded by removing CRLF and one following space or tab, every content line
/// <c>[group.]name[;param=value...]:value</c>, BEGIN:VCARD first, VERSION:4.0 right after it,
/// END:VCARD last, exactly one FN and one UID. Violations throw with the line at fault.
/// </summary>
public static partial class StrictVCard
{
    public static IReadOnlyList<(string Name, string Value)> Parse(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file);
        if (!text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            throw new FormatException("A vCard ends with CRLF.");
        }

        var physical = text[..^2].Split("\r\n");
        foreach (var line in physical)
        {
            if (line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal))
            {
                throw new FormatException($"A bare CR or LF in '{line}': lines end with CRLF.");
            }

            if (Encoding.UTF8.GetByteCount(line) > 75)
            {
                throw new FormatException($"'{line}' is longer than 75 octets: it should be folded.");
            }
        }

        var logical = new List<string>();
        foreach (var line in physical)
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (logical.Count == 0)
                {
                    throw new FormatException("The first line is a continuation.");
                }

                logical[^1] += line[1..];
            }
            else
            {
                logical.Add(line);
            }
        }

        var properties = new List<(string Name, string Value)>();
        foreach (var line in logical)
        {
            var match = ContentLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"'{line}' is not a content line: [group.]name[;param=value]:value.");
            }

            properties.Add((match.Groups["name"].Value.ToUpperInvariant(), match.Groups["value"].Value));
        }

        if (properties.Count < 4 || properties[0] != ("BEGIN", "VCARD") || properties[1] != ("VERSION", "4.0") || properties[^1] != ("END", "VCARD"))
        {
            throw new FormatException("A vCard 4.0 starts with BEGIN:VCARD and VERSION:4.0 and ends with END:VCARD.");
        }

        if (properties.Count(p => p.Name == "BEGIN") != 1 || properties.Count(p => p.Name == "END") != 1)
        {
            throw new FormatException("One card per file: a single BEGIN:VCARD and END:VCARD.");
        }

        foreach (var required in new[] { "FN", "UID" })
        {
            if (properties.Count(p => p.Name == required) != 1 || properties.Single(p => p.Name == required).Value.Length == 0)
            {
                throw new FormatException($"A card has exactly one non-empty {required}.");
            }
        }

        return properties;
    }

    // name: iana-token or x-name; params: name=value, value may be a quoted string (no control characters).
    [GeneratedRegex("""^(?:[A-Za-z0-9-]+\.)?(?<name>[A-Za-z0-9-]+)(?:;[A-Za-z0-9-]+=(?:"[^"\p{Cc}]*"|[^";:\p{Cc}]*)(?:,(?:"[^"\p{Cc}]*"|[^";:,\p{Cc}]*))*)*:(?<value>[^\p{Cc}]*)$""")]
    private static partial Regex ContentLine();
}
