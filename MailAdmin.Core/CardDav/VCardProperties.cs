using System.Text;

namespace MailAdmin.Core.CardDav;

/// <summary>One property of a vCard: its name in upper case and its value with text escapes undone.</summary>
public sealed record VCardProperty(string Name, string Value);

/// <summary>
/// Reads the properties of a vCard (RFC 6350) for the address book's query filters: lines
/// unfolded (section 3.2), a group prefix dropped, parameters skipped (a quoted parameter value
/// may hold ':'), and the backslash escapes of section 3.4 undone. Structured values (N, ORG)
/// keep their ';' separators, so a filter sees "Smith;Bob;;;".
/// </summary>
public static class VCardProperties
{
    public static IReadOnlyList<VCardProperty> Read(string card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var properties = new List<VCardProperty>();
        foreach (var line in Unfold(card))
        {
            var colon = ValueStart(line);
            if (colon < 0)
            {
                continue;
            }

            var head = line[..colon];
            var semicolon = head.IndexOf(';', StringComparison.Ordinal);
            var name = semicolon < 0 ? head : head[..semicolon];
            var dot = name.LastIndexOf('.');
            name = (dot < 0 ? name : name[(dot + 1)..]).ToUpperInvariant();
            properties.Add(new VCardProperty(name, Unescape(line[(colon + 1)..])));
        }

        return properties;
    }

    private static IEnumerable<string> Unfold(string card)
    {
        var current = new StringBuilder();
        foreach (var raw in card.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                current.Append(line, 1, line.Length - 1);
                continue;
            }

            if (current.Length > 0)
            {
                yield return current.ToString();
            }

            current.Clear().Append(line);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    /// <summary>The ':' that ends name and parameters: the first one outside a quoted parameter value.</summary>
    private static int ValueStart(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ':' && !quoted)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] is 'n' or 'N' ? '\n' : value[i]);
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }
}
