using System.Net;
using System.Text.RegularExpressions;

namespace MailAdmin.Core.Configuration;

/// <summary>Checks for DNS host names and IP literals in settings.</summary>
public static partial class HostNames
{
    public static bool IsValid(string value) =>
        value.Length is > 0 and <= 253 && (IPAddress.TryParse(value, out _) || DnsName().IsMatch(value));

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();
}
