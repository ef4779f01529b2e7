using System.Net;
using System.Net.Sockets;
using MailAdmin.Core.Configuration;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Checks <c>--urls</c> before the node starts, so a malformed address or a
/// port already taken stops it with one line that names the option rather
/// than a host stack trace. Kestrel still reports a port lost to a race.
/// </summary>
internal static class ListenUrls
{
    public const string Setting = "--urls";

    public static void Check(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            return;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards are not URI hosts.
            var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                throw new InvalidSettingException(Setting, $"'{url}' is not a listening address; write it like http://127.0.0.1:5080.");
            }

            if (uri.Port != 0 && AddressOf(uri.Host) is { } address && !CanBind(address, uri.Port))
            {
                throw new InvalidSettingException(Setting, $"cannot listen on {url}: the port is in use or not allowed. Choose a free port, for example --urls=http://127.0.0.1:5081.");
            }
        }
    }

    private static IPAddress? AddressOf(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip
        : null;

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
