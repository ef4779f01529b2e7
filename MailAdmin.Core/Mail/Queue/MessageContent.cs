namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// The bytes of a queued message: inline in the queue database (small messages, made durable
/// by the same group commit as their envelope) or a file under <c>queue/messages/</c>.
/// </summary>
public sealed class MessageContent
{
    private readonly byte[]? _inline;

    internal MessageContent(byte[]? inline, string path)
    {
        _inline = inline;
        Path = path;
    }

    /// <summary>Where the file is, or would be, for a message too large to keep inline.</summary>
    public string Path { get; }

    public bool IsInline => _inline is not null;

    /// <summary>False when the message's file has gone (only after a fault outside the node).</summary>
    public bool Exists => _inline is not null || File.Exists(Path);

    /// <summary>A fresh stream over the message from its first byte.</summary>
    public Stream OpenRead() => _inline is not null
        ? new MemoryStream(_inline, writable: false)
        : new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
}
