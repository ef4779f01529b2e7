using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Where the peer port (<c>Cluster:Port</c>) listens: with port 0 in the settings, this is how
/// tests and the node's own document learn the port the system chose once Kestrel started.
/// </summary>
public sealed class PeerEndpoint
{
    private ListenOptions? _listener;

    /// <summary>The bound endpoint; Kestrel replaces a port 0 with the chosen one when it binds.</summary>
    public IPEndPoint EndPoint => _listener?.IPEndPoint ?? throw new InvalidOperationException("The peer port is not configured.");

    public int Port => EndPoint.Port is > 0 and var port ? port : throw new InvalidOperationException("The peer port has not started.");

    internal void Attach(ListenOptions listener) => _listener = listener;

    /// <summary>True when <paramref name="connection"/> came in through the peer port.</summary>
    internal bool Serves(ConnectionInfo connection)
    {
        if (_listener?.IPEndPoint is not { Port: > 0 } bound || connection.LocalPort != bound.Port)
        {
            return false;
        }

        // Another address of the machine may serve the console on the same port number.
        var local = connection.LocalIpAddress;
        return bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)
            || (local is not null && (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).Equals(bound.Address));
    }
}
