using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailAdmin.Core.Domains;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>The outcome of reading a <c>MAIL FROM</c> or <c>RCPT TO</c> argument.</summary>
internal readonly record struct ParsedPath(bool Ok, MailPath? Path, IReadOnlyList<KeyValuePair<string, string?>> Parameters, string? Error)
{
    public static ParsedPath Fail(string error) => new(false, null, [], error);
}

/// <summary>
/// Reads RFC 5321 paths (§4.1.2): <c>&lt;&gt;</c>, <c>&lt;user@domain&gt;</c> with a dot-string or
/// quoted local part, a domain name (internationalised names become their ASCII form) or an
/// address literal, and an optional source route that is dropped (§4.1.1.3). The ESMTP
/// parameters after the path come back as keyword/value pairs.
/// </summary>
internal static class SmtpPathParser
{
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>
    /// Parses what follows <c>FROM:</c> or <c>TO:</c>. A non-ASCII local part is read (the
    /// session refuses it unless the transaction asked for SMTPUTF8); a non-ASCII domain becomes
    /// its ASCII form.
    /// </summary>
    public static ParsedPath Parse(string argument, bool allowNull)
    {
        var text = argument.TrimStart(' ');
        if (!text.StartsWith('<'))
        {
            return ParsedPath.Fail("the address must be written in angle brackets, like <user@example.com>");
        }

        var close = FindClosingBracket(text);
        if (close < 0)
        {
            return ParsedPath.Fail("the closing '>' of the address is missing");
        }

        var inner = text[1..close];
        if (!TryParseParameters(text[(close + 1)..], out var parameters, out var parameterError))
        {
            return ParsedPath.Fail(parameterError);
        }

        if (inner.Length == 0)
        {
            return allowNull
                ? new ParsedPath(true, null, parameters, null)
                : ParsedPath.Fail("the null address <> cannot receive mail");
        }

        var mailbox = SkipSourceRoute(inner);
        if (mailbox is null)
        {
            return ParsedPath.Fail($"the source route in <{inner}> is malformed");
        }

        var path = ParseMailbox(mailbox, out var error);
        return path is null ? ParsedPath.Fail(error!) : new ParsedPath(true, path, parameters, null);
    }

    /// <summary>The position of the '>' that closes the path, skipping quoted strings.</summary>
    private static int FindClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '>')
            {
                return i;
            }
        }

        return -1;
    }

    private static string? SkipSourceRoute(string inner)
    {
        if (!inner.StartsWith('@'))
        {
            return inner;
        }

        var colon = inner.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        foreach (var hop in inner[..colon].Split(','))
        {
            if (hop.Length < 2 || hop[0] != '@' || !IsDomainSyntax(hop[1..]))
            {
                return null;
            }
        }

        return inner[(colon + 1)..];
    }

    private static MailPath? ParseMailbox(string mailbox, out string? error)
    {
        error = null;
        string localPart;
        int at;
        if (mailbox.StartsWith('"'))
        {
            var builder = new StringBuilder();
            var i = 1;
            for (; i < mailbox.Length && mailbox[i] != '"'; i++)
            {
                var c = mailbox[i];
                if (c == '\\')
                {
                    if (++i == mailbox.Length || mailbox[i] is < ' ' or > '~')
                    {
                        error = "a quoted local part has a bad escape";
                        return null;
                    }

                    c = mailbox[i];
                }
                else if (!IsQtext(c))
                {
                    error = "a quoted local part holds a control character";
                    return null;
                }

                builder.Append(c);
            }

            if (i >= mailbox.Length - 1 || mailbox[i + 1] != '@')
            {
                error = "the address needs the form \"local part\"@domain";
                return null;
            }

            localPart = builder.ToString();
            at = i + 1;
        }
        else
        {
            at = mailbox.LastIndexOf('@');
            if (at <= 0)
            {
                error = "the address needs a local part and a domain, like user@example.com";
                return null;
            }

            localPart = mailbox[..at];
            foreach (var atom in localPart.Split('.'))
            {
                if (atom.Length == 0)
                {
                    error = "the local part has an empty atom (a leading, trailing or double dot)";
                    return null;
                }

                foreach (var c in atom)
                {
                    if (!IsAtext(c))
                    {
                        error = $"the local part may not hold '{c}' unless it is quoted";
                        return null;
                    }
                }
            }
        }

        if (Encoding.UTF8.GetByteCount(localPart) > 64)
        {
            error = "the local part is longer than 64 octets";
            return null;
        }

        var domain = ParseDomain(mailbox[(at + 1)..]);
        if (domain is null)
        {
            error = $"'{mailbox[(at + 1)..]}' is not a domain name or address literal";
            return null;
        }

        return new MailPath(localPart, domain);
    }

    private static string? ParseDomain(string domain)
    {
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                return IPAddress.TryParse(literal[5..], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                    ? $"[IPv6:{v6}]"
                    : null;
            }

            // A dotted quad exactly: IPAddress.TryParse would also take "1" or "1.2".
            var parts = literal.Split('.');
            return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
                && IPAddress.TryParse(literal, out var v4)
                ? $"[{v4}]"
                : null;
        }

        return IsDomainSyntax(domain) && DomainNames.TryNormalize(domain, out var ascii) ? ascii : null;
    }

    /// <summary>Letters, digits, hyphens and dots, or non-ASCII letters of an internationalised name.</summary>
    private static bool IsDomainSyntax(string domain) =>
        domain.Length is > 0 and <= 255 && !domain.EndsWith('.') && domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' || c > '~');

    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || AtextSpecials.Contains(c, StringComparison.Ordinal) || (c > '~' && !char.IsControl(c));

    private static bool IsQtext(char c) =>
        (c >= ' ' && c <= '~' && c != '"' && c != '\\') || (c > '~' && !char.IsControl(c));

    private static bool TryParseParameters(string text, out IReadOnlyList<KeyValuePair<string, string?>> parameters, out string error)
    {
        var list = new List<KeyValuePair<string, string?>>();
        parameters = list;
        error = string.Empty;
        if (text.Length > 0 && text[0] != ' ')
        {
            error = "parameters must follow the address after a space";
            return false;
        }

        foreach (var item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? item : item[..equals];
            if (keyword.Length == 0 || !keyword.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                error = $"'{item}' is not a parameter (KEYWORD or KEYWORD=value)";
                return false;
            }

            list.Add(new(keyword.ToUpperInvariant(), equals < 0 ? null : item[(equals + 1)..]));
        }

        return true;
    }
}
