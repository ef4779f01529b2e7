namespace MailAdmin.Core.Distribution;

/// <summary>
/// Where this node can be reached once it has started, as peers are told: the bound peer
/// port (with <c>Cluster:Port=0</c> the system picks it) and the console's address.
/// The host sets these when its listeners are up.
/// </summary>
public sealed class LocalEndpoints
{
    public int PeerPort { get; set; }

    /// <summary>The console as a browser on another office's network opens it, like <c>http://host:5080/</c>.</summary>
    public string ConsoleUrl { get; set; } = string.Empty;
}
