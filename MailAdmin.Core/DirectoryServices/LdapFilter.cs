using System.Text;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Builds and checks LDAP search filters (RFC 4515). Every value that reaches a filter goes
/// through <see cref="Escape"/>, so an address such as <c>*)(uid=*</c> is searched for
/// literally and can never widen a search. Filters typed by an administrator (user, group and
/// placement filters) are checked by <see cref="Normalize"/> before they are used: a typo is
/// reported when the settings are saved, not as an obscure server error at the next sync.
/// </summary>
public static class LdapFilter
{
    /// <summary>
    /// Escapes an assertion value: <c>*</c>, <c>(</c>, <c>)</c>, <c>\</c> and NUL become
    /// <c>\2a</c>, <c>\28</c>, <c>\29</c>, <c>\5c</c> and <c>\00</c>. Everything else, non-ASCII
    /// included, stays as it is: RFC 4515 carries UTF-8 as-is, and the server compares it as such.
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny("*()\\\0") < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '*' => escaped.Append("\\2a"),
                '(' => escaped.Append("\\28"),
                ')' => escaped.Append("\\29"),
                '\\' => escaped.Append("\\5c"),
                '\0' => escaped.Append("\\00"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary><c>(attribute=value)</c> with the value escaped: an exact match, never a wildcard.</summary>
    public static string Equality(string attribute, string value) => $"({CheckedAttribute(attribute)}={Escape(value)})";

    /// <summary><c>(attribute=*)</c>: the entry has the attribute at all.</summary>
    public static string Present(string attribute) => $"({CheckedAttribute(attribute)}=*)";

    /// <summary>Every filter must match; a single filter is returned as it is.</summary>
    public static string And(params IEnumerable<string?> filters) => Combine('&', filters);

    /// <summary>Any filter may match; a single filter is returned as it is.</summary>
    public static string Or(params IEnumerable<string?> filters) => Combine('|', filters);

    /// <summary>
    /// Checks an administrator's filter and returns it in the form the server expects:
    /// trimmed, and wrapped in parentheses when written bare (<c>l=Seattle</c>). Null or blank
    /// means "no filter" and returns null.
    /// </summary>
    /// <param name="filter">The filter as typed.</param>
    /// <param name="setting">The setting's name, for the message (<c>userFilter</c>, ...).</param>
    /// <exception cref="MailAdminException"><c>invalid-directory-filter</c> when it is not an RFC 4515 filter.</exception>
    public static string? Normalize(string? filter, string setting)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        var candidate = filter.Trim();
        if (candidate[0] != '(')
        {
            candidate = $"({candidate})";
        }

        if (Validate(candidate) is { } problem)
        {
            throw MailAdminException.Invalid(
                "invalid-directory-filter",
                $"The {setting} '{filter}' is not a valid LDAP filter: {problem}. Write it as in RFC 4515, for example (&(l=Seattle)(title=*)), and escape the characters * ( ) \\ in values as \\2a \\28 \\29 \\5c.");
        }

        return candidate;
    }

    /// <summary>Null when <paramref name="filter"/> is a well-formed RFC 4515 filter, otherwise what is wrong.</summary>
    public static string? Validate(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parser = new Parser(filter);
        return parser.ParseAll();
    }

    private static string Combine(char op, IEnumerable<string?> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var parts = filters.Where(f => !string.IsNullOrEmpty(f)).ToList();
        return parts.Count switch
        {
            0 => throw new ArgumentException("At least one filter is needed.", nameof(filters)),
            1 => parts[0]!,
            _ => $"({op}{string.Concat(parts)})",
        };
    }

    private static string CheckedAttribute(string attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute);
        if (!attribute.All(IsAttributeChar))
        {
            throw new ArgumentException($"'{attribute}' is not an attribute description.", nameof(attribute));
        }

        return attribute;
    }

    private static bool IsAttributeChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ';';

    /// <summary>
    /// A recursive-descent reader of the RFC 4515 grammar. It checks structure (balanced
    /// parentheses, an operator or an attribute with a match type in each item, valid escapes);
    /// it does not check that attributes exist, which only the server knows.
    /// </summary>
    private sealed class Parser(string text)
    {
        private const int MaxDepth = 64;
        private int _position;

        public string? ParseAll()
        {
            if (text.Length == 0)
            {
                return "it is empty";
            }

            var problem = ParseFilter(0);
            if (problem is null && _position != text.Length)
            {
                problem = $"unexpected '{text[_position]}' at position {_position + 1} after the end of the filter";
            }

            return problem;
        }

        private string? ParseFilter(int depth)
        {
            if (depth > MaxDepth)
            {
                return "it is nested too deeply";
            }

            if (!Take('('))
            {
                return $"expected '(' at position {_position + 1}";
            }

            var problem = Peek() switch
            {
                '&' or '|' => ParseList(depth),
                '!' => ParseNot(depth),
                _ => ParseItem(),
            };
            if (problem is not null)
            {
                return problem;
            }

            return Take(')') ? null : $"expected ')' at position {_position + 1}";
        }

        private string? ParseList(int depth)
        {
            _position++;

            // RFC 4526 allows the empty (&) and (|), the absolute true and false filters.
            while (Peek() == '(')
            {
                if (ParseFilter(depth + 1) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? ParseNot(int depth)
        {
            _position++;
            return Peek() == '(' ? ParseFilter(depth + 1) : $"expected '(' after '!' at position {_position + 1}";
        }

        private string? ParseItem()
        {
            var start = _position;
            while (Peek() is { } c && (IsAttributeChar(c) || c == ':'))
            {
                _position++;
            }

            var description = text[start.._position];
            if (description.Length == 0)
            {
                return Peek() is { } found
                    ? $"expected an attribute name at position {_position + 1}, found '{found}'"
                    : "the filter ends where an attribute name was expected";
            }

            var isExtensible = description.Contains(':', StringComparison.Ordinal);
            if (Peek() is '~' or '>' or '<' && !isExtensible)
            {
                _position++;
                if (!Take('='))
                {
                    return $"expected '=' at position {_position + 1}";
                }

                return ParseValue(allowWildcards: false);
            }

            if (!Take('='))
            {
                return $"expected '=', '~=', '>=' or '<=' after '{description}'";
            }

            if (isExtensible && !description.EndsWith(':'))
            {
                return $"an extensible match ('{description}') must end with ':='";
            }

            return ParseValue(allowWildcards: !isExtensible);
        }

        private string? ParseValue(bool allowWildcards)
        {
            while (Peek() is { } c && c != ')')
            {
                switch (c)
                {
                    case '(':
                        return $"unescaped '(' at position {_position + 1} (write \\28)";
                    case '\0':
                        return $"a NUL character at position {_position + 1} (write \\00)";
                    case '*' when !allowWildcards:
                        return $"'*' at position {_position + 1} is not allowed in this kind of match (write \\2a)";
                    case '\\':
                        if (_position + 2 >= text.Length || !char.IsAsciiHexDigit(text[_position + 1]) || !char.IsAsciiHexDigit(text[_position + 2]))
                        {
                            return $"'\\' at position {_position + 1} must be followed by two hex digits (write \\5c for a backslash)";
                        }

                        _position += 3;
                        break;
                    default:
                        _position++;
                        break;
                }
            }

            return null;
        }

        private char? Peek() => _position < text.Length ? text[_position] : null;

        private bool Take(char expected)
        {
            if (Peek() != expected)
            {
                return false;
            }

            _position++;
            return true;
        }
    }
}
