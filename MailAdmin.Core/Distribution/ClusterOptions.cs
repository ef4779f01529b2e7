using System.Net;
using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Distribution;

/// <summary>The peer endpoint other nodes of a distributed domain call (<c>Cluster:*</c>).</summary>
public sealed class ClusterOptions
{
    public const int DefaultPort = 44337;

    /// <summary>Peer gRPC port (mutual TLS); 0 picks a free port.</summary>
    public required int Port { get; init; }

    /// <summary>The address the peer port listens on; every interface unless set.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>
    /// True (the default): a slave sends external mail through the master, as the
    /// manual recommends, so one gateway sends and receives everything.
    /// </summary>
    public bool RelayViaMaster { get; init; } = true;

    /// <summary>How often each node compares its peers' document versions with its own (anti-entropy).</summary>
    public TimeSpan AntiEntropyInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static ClusterOptions Read(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var listen = settings.Text("Cluster:ListenAddress", "0.0.0.0");
        if (!IPAddress.TryParse(listen, out var address))
        {
            throw new InvalidSettingException("Cluster:ListenAddress", $"'{listen}' is not an IP address. Give one of this machine's addresses, or 0.0.0.0 for all.");
        }

        var relay = settings.Text("Cluster:RelayViaMaster", "true");
        if (!bool.TryParse(relay, out var relayViaMaster))
        {
            throw new InvalidSettingException("Cluster:RelayViaMaster", $"'{relay}' is not true or false.");
        }

        var seconds = settings.Text("Cluster:AntiEntropySeconds", "10");
        if (!int.TryParse(seconds, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var interval) || interval is < 1 or > 3600)
        {
            throw new InvalidSettingException("Cluster:AntiEntropySeconds", $"'{seconds}' is not a number of seconds from 1 to 3600.");
        }

        return new()
        {
            Port = settings.Port("Cluster:Port", DefaultPort),
            ListenAddress = address,
            RelayViaMaster = relayViaMaster,
            AntiEntropyInterval = TimeSpan.FromSeconds(interval),
        };
    }
}
