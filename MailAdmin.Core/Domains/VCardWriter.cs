using System.Text;

namespace MailAdmin.Core.Domains;

/// <summary>
/// Global Address List entries as vCard 4.0 (RFC 6350): one card each, text values escaped
/// (section 3.4), lines folded at 75 octets without splitting a UTF-8 sequence (section 3.2),
/// CRLF line ends. Users are <c>KIND:individual</c>, groups and lists <c>KIND:group</c>,
/// resources <c>KIND:location</c>.
/// </summary>
public static class VCardWriter
{
    private const int MaxLineOctets = 75;

    public static string Write(IEnumerable<GalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            Write(text, entry);
        }

        return text.ToString();
    }

    public static void Write(StringBuilder text, GalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(entry);
        Line(text, "BEGIN:VCARD");
        Line(text, "VERSION:4.0");
        Line(text, "UID:mailto:" + entry.Address);
        Line(text, "KIND:" + entry.Kind switch
        {
            GalKinds.Group or GalKinds.List => "group",
            GalKinds.Resource => "location",
            _ => "individual",
        });
        Line(text, "FN:" + Escape(entry.Name));
        if (entry.Kind == GalKinds.User)
        {
            Line(text, "N:" + StructuredName(entry.Name));
        }

        Line(text, "EMAIL;TYPE=work:" + Escape(entry.Address));
        if (entry.Title is { } title)
        {
            Line(text, "TITLE:" + Escape(title));
        }

        if (entry.Department is { } department)
        {
            // ORG's first component is the organization, the next its units.
            Line(text, "ORG:;" + Escape(department));
        }

        if (entry.Phone is { } phone)
        {
            Line(text, "TEL;VALUE=text;TYPE=work:" + Escape(phone));
        }

        if (entry.Office is { } office)
        {
            Line(text, "NOTE:" + Escape("Office: " + office));
        }

        Line(text, "END:VCARD");
    }

    /// <summary>Backslash, comma, semicolon and line breaks escaped, as a text value needs.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                ',' => "\\,",
                ';' => "\\;",
                '\n' => "\\n",
                '\r' => string.Empty,
                _ when char.IsControl(c) => string.Empty,
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    /// <summary>"Smith, John" and "John Smith" both become family "Smith", given "John".</summary>
    private static string StructuredName(string name)
    {
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        string family, given;
        if (comma > 0)
        {
            family = name[..comma].Trim();
            given = name[(comma + 1)..].Trim();
        }
        else
        {
            var space = name.LastIndexOf(' ');
            family = space > 0 ? name[(space + 1)..] : name;
            given = space > 0 ? name[..space] : string.Empty;
        }

        return $"{Escape(family)};{Escape(given)};;;";
    }

    /// <summary>Writes a content line, folded so no physical line is longer than 75 octets.</summary>
    private static void Line(StringBuilder text, string line)
    {
        var octets = 0;
        var limit = MaxLineOctets;
        for (var i = 0; i < line.Length; i++)
        {
            var length = char.IsHighSurrogate(line[i]) && i + 1 < line.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(i, length));
            if (octets + size > limit)
            {
                text.Append("\r\n ");
                octets = 0;
                limit = MaxLineOctets - 1; // The continuation's leading space counts.
            }

            text.Append(line, i, length);
            octets += size;
            i += length - 1;
        }

        text.Append("\r\n");
    }
}
