using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MailAdmin.Core.Configuration;

/// <summary>
/// Reads typed settings from configuration and turns a malformed value into
/// an <see cref="InvalidSettingException"/> that names the setting, instead
/// of the binder's conversion error that names a CLR type.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration)
{
    public string? Text(string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string Text(string key, string fallback) => Text(key) ?? fallback;

    /// <summary>A secret, taken exactly as written (no trimming); null when absent or empty.</summary>
    public string? Secret(string key)
    {
        var value = configuration[key];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A TCP port; 0 asks the system for a free one (tests, demos).</summary>
    public int Port(string key, int fallback)
    {
        var raw = Text(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new InvalidSettingException(key, $"'{raw}' is not a TCP port number (0 to 65535).");
        }

        return port;
    }

    public int Number(string key, int fallback, int min, int max)
    {
        var raw = Text(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidSettingException(key, $"'{raw}' is not a whole number from {min} to {max}.");
        }

        return value;
    }

    /// <summary>A number that may have a fraction, written with a dot.</summary>
    public double Fraction(string key, double fallback, double min, double max)
    {
        var raw = Text(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!double.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidSettingException(key, $"'{raw}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        }

        return value;
    }

    /// <summary>A <c>host:port</c> pair, such as a relay host.</summary>
    public (string Host, int Port)? HostAndPort(string key, int defaultPort)
    {
        var raw = Text(key);
        if (raw is null)
        {
            return null;
        }

        var host = raw;
        var port = defaultPort;
        var colon = raw.LastIndexOf(':');
        if (colon >= 0 && !raw.EndsWith(']'))
        {
            host = raw[..colon];
            if (!int.TryParse(raw[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new InvalidSettingException(key, $"'{raw}' must be host:port with a port from 1 to 65535.");
            }
        }

        host = host.Trim('[', ']');
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new InvalidSettingException(key, $"'{host}' is not a valid host name or address.");
        }

        return (host, port);
    }
}
