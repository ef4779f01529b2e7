using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Distribution;

/// <summary>The peer endpoint other nodes of a distributed domain call (<c>Cluster:*</c>).</summary>
public sealed class ClusterOptions
{
    public const int DefaultPort = 44337;

    /// <summary>Peer gRPC port (mutual TLS); 0 picks a free port.</summary>
    public required int Port { get; init; }

    public static ClusterOptions Read(SettingsReader settings) =>
        new() { Port = settings.Port("Cluster:Port", DefaultPort) };
}
