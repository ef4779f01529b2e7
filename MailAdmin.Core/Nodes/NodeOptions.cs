using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Nodes;

/// <summary>Who this node is and where it keeps its data (<c>Node:*</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>The node's unique name, as administrators and peers know it.</summary>
    public required string Name { get; init; }

    /// <summary>The address peers and users reach this node at.</summary>
    public required string PublicHost { get; init; }

    /// <summary>Absolute path of the folder that holds the database, mailboxes, spool and keys.</summary>
    public required string DataDir { get; init; }

    public string DatabasePath => Path.Combine(DataDir, "node.db");

    public string KeysDir => Path.Combine(DataDir, "keys");

    /// <summary>The mail queue: its database and one file per message waiting for delivery.</summary>
    public string QueueDir => Path.Combine(DataDir, "queue");

    /// <summary>Mailboxes, one Maildir per user: <c>mail/&lt;domain&gt;/&lt;user&gt;/</c>.</summary>
    public string MailDir => Path.Combine(DataDir, "mail");

    public static NodeOptions Read(SettingsReader settings)
    {
        var name = settings.Text("Node:Name", Environment.MachineName.ToLowerInvariant());
        if (!HostNames.IsValid(name))
        {
            throw new InvalidSettingException("Node:Name", $"'{name}' is not a valid node name: use letters, digits, '-' and '.', at most 253 characters.");
        }

        var publicHost = settings.Text("Node:PublicHost", name);
        if (!HostNames.IsValid(publicHost))
        {
            throw new InvalidSettingException("Node:PublicHost", $"'{publicHost}' is not a valid host name or IP address.");
        }

        var dataDir = Path.GetFullPath(settings.Text("Node:DataDir", "data"));
        EnsureWritable(dataDir);
        return new NodeOptions { Name = name, PublicHost = publicHost, DataDir = dataDir };
    }

    private static void EnsureWritable(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
            var probe = Path.Combine(dataDir, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidSettingException("Node:DataDir", $"cannot create or write the folder '{dataDir}' ({e.Message.TrimEnd('.')}). Choose a folder the node's user may write.");
        }
    }
}
