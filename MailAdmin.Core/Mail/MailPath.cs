using MailAdmin.Core.Domains;

namespace MailAdmin.Core.Mail;

/// <summary>
/// An envelope address (RFC 5321 <c>Mailbox</c>): the local part exactly as the client sent
/// it, unquoted, and the domain in its ASCII form, lower case. Source routes are dropped when
/// parsed (RFC 5321 §4.1.1.3 lets a server ignore them), so <c>@a:user@b</c> is <c>user@b</c>.
/// </summary>
public sealed record MailPath(string LocalPart, string Domain)
{
    /// <summary>The address as written on the wire: the local part quoted when it has to be.</summary>
    public override string ToString() => $"{QuoteIfNeeded(LocalPart)}@{Domain}";

    /// <summary>True when the local part matches <paramref name="localPart"/> ignoring case (mailbox names are case-insensitive here).</summary>
    public bool Is(string localPart, string domain) =>
        string.Equals(LocalPart, localPart, StringComparison.OrdinalIgnoreCase) && string.Equals(Domain, domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>The path of <paramref name="address"/> (a plain <c>local@domain</c>), or null when it is not one.</summary>
    public static MailPath? FromAddress(string address) =>
        MailAddresses.TryParse(address, out var parsed) ? new MailPath(parsed.LocalPart, parsed.Domain) : null;

    private static string QuoteIfNeeded(string localPart)
    {
        foreach (var c in localPart)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c > 127 || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal)))
            {
                return "\"" + localPart.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            }
        }

        return localPart.StartsWith('.') || localPart.EndsWith('.') || localPart.Contains("..", StringComparison.Ordinal) || localPart.Length == 0
            ? "\"" + localPart + "\""
            : localPart;
    }
}
