using System.Security.Cryptography;
using System.Threading.Channels;
using MailAdmin.Core.Mail.Storage;
using MailAdmin.Core.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// The durable mail queue. A message is one file under <c>queue/messages/</c> and one row
/// per recipient in <c>queue/queue.db</c>; the row is the commit point. Receiving sessions
/// sync their own files, then join a <b>group commit</b>: one directory sync and one SQLite
/// transaction make a whole batch of concurrent messages durable, and only then does each
/// session answer <c>250</c>. A crash before that commit leaves a file without a row, which
/// the next start deletes: nothing half-written is ever delivered.
/// </summary>
public sealed partial class MailQueue : IMessageSpool, IHostedService, IDisposable
{
    /// <summary>
    /// Messages up to this size are kept in the queue database itself: the group commit's one
    /// WAL sync then covers their content too, instead of one file sync per message.
    /// </summary>
    public const int InlineLimit = 64 * 1024;

    private const int MaxBatch = 512;

    private readonly NodeOptions _node;
    private readonly QueueOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MailQueue> _logger;
    private readonly Channel<PendingCommit> _commits = Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stopping = new();
    private QueueDatabase? _database;
    private Task _committer = Task.CompletedTask;
    private int _disposed;

    public MailQueue(NodeOptions node, QueueOptions options, TimeProvider clock, ILogger<MailQueue> logger)
    {
        _node = node;
        _options = options;
        _clock = clock;
        _logger = logger;
        MessagesDir = Path.Combine(node.QueueDir, "messages");
    }

    /// <summary>Where message files live, one per queued message, named by queue id.</summary>
    public string MessagesDir { get; }

    /// <summary>Ids of messages that became deliverable (committed, released, retried), for the delivery agent.</summary>
    internal ChannelReader<string> Ready => _ready.Reader;

    internal QueueDatabase Database => _database ?? throw new InvalidOperationException("The mail queue has not started.");

    internal TimeProvider Clock => _clock;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        DurableFiles.CreatePrivateDirectory(_node.QueueDir);
        DurableFiles.CreatePrivateDirectory(MessagesDir);
        _database = new QueueDatabase(Path.Combine(_node.QueueDir, "queue.db"));
        await RemoveFinishedMessagesAsync(cancellationToken).ConfigureAwait(false);
        RemoveUncommittedFiles();
        _committer = Task.Run(() => CommitLoopAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Commits already asked for are finished, unless the host runs out of patience: then
        // their sessions never hear 250 and their clients send the mail again.
        _commits.Writer.TryComplete();
        await _committer.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _ready.Writer.TryComplete();
    }

    public string ContentPath(string id) => Path.Combine(MessagesDir, id);

    public ValueTask<ISpoolWriter> CreateAsync(CancellationToken cancellationToken)
    {
        EnsureFreeSpace();
        var id = NewId(_clock.GetUtcNow());
        return ValueTask.FromResult<ISpoolWriter>(new SpoolWriter(this, id, ContentPath(id), new SpillStream(ContentPath(id), InlineLimit)));
    }

    /// <summary>The content of queued message <paramref name="id"/> (inline or its file); null when no such message is queued.</summary>
    public MessageContent? Content(string id) => Database.Read(connection => ReadContent(connection, id));

    /// <summary>A queued message and its content, read together on one connection: what one delivery attempt needs.</summary>
    internal (QueuedMessage Message, MessageContent Content)? Load(string id) => Database.Read(connection =>
        QueueDatabase.ReadMessage(connection, id) is { } message && ReadContent(connection, id) is { } content
            ? (message, content)
            : ((QueuedMessage, MessageContent)?)null);

    /// <summary>Queues a message the node makes itself (a bounce, a delay warning), durably.</summary>
    public async Task<string> EnqueueAsync(string? sender, IReadOnlyList<string> recipients, MessageKind kind, Func<Stream, Task> writeContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        await using var writer = (SpoolWriter)await CreateAsync(cancellationToken).ConfigureAwait(false);
        await writeContent(writer.Content).ConfigureAwait(false);
        await writer.CommitAsync(sender, recipients, kind, origin: "local", cancellationToken).ConfigureAwait(false);
        return writer.QueueId;
    }

    /// <summary>Every message in the queue with its recipients, oldest first.</summary>
    public IReadOnlyList<QueuedMessage> List(int limit = 1000) => Database.Read(connection =>
    {
        using var command = QueueDatabase.Command(connection, null, "SELECT id FROM messages ORDER BY received_at, id LIMIT $limit");
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        return ids.Select(id => QueueDatabase.ReadMessage(connection, id)).OfType<QueuedMessage>().ToList();
    });

    public QueuedMessage? Get(string id) => Database.Read(connection => QueueDatabase.ReadMessage(connection, id));

    /// <summary>The ids of messages with a recipient due now or earlier, not held.</summary>
    internal IReadOnlyList<string> Due(DateTimeOffset now, int limit) => Database.Read(connection =>
    {
        using var command = QueueDatabase.Command(connection, null, """
            SELECT DISTINCT r.message_id FROM recipients r JOIN messages m ON m.id = r.message_id
            WHERE r.state = 0 AND r.next_attempt <= $now AND m.held = 0
            LIMIT $limit
            """);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    });

    /// <summary>When the next pending recipient of an unheld message is due; null when none waits.</summary>
    internal DateTimeOffset? NextDue() => Database.Read(connection =>
    {
        using var command = QueueDatabase.Command(connection, null,
            "SELECT MIN(r.next_attempt) FROM recipients r JOIN messages m ON m.id = r.message_id WHERE r.state = 0 AND m.held = 0");
        var value = command.ExecuteScalar();
        return value is long millis ? DateTimeOffset.FromUnixTimeMilliseconds(millis) : (DateTimeOffset?)null;
    });

    /// <summary>Makes every pending recipient of the message due now (<i>Retry now</i>). False when there is no such message.</summary>
    public async Task<bool> RetryNowAsync(string id, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var found = await Database.WriteAsync((connection, transaction) =>
        {
            using var command = QueueDatabase.Command(connection, transaction,
                "UPDATE recipients SET next_attempt = $now WHERE message_id = $id AND state = 0");
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", id);
            command.ExecuteNonQuery();
            return Exists(connection, transaction, id);
        }, cancellationToken).ConfigureAwait(false);
        if (found)
        {
            _ready.Writer.TryWrite(id);
        }

        return found;
    }

    /// <summary>
    /// Makes every pending recipient whose next hop is <paramref name="hop"/> (a
    /// <see cref="Routing.NextHop.Key"/>) due now, in one statement, and hands their messages to
    /// delivery: what a peer node coming back triggers. Returns how many messages that concerned.
    /// </summary>
    public async Task<int> RetryHopNowAsync(string hop, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var ids = await Database.WriteAsync((connection, transaction) =>
        {
            using var command = QueueDatabase.Command(connection, transaction,
                "UPDATE recipients SET next_attempt = MIN(next_attempt, $now) WHERE state = 0 AND next_hop = $hop RETURNING message_id");
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$hop", hop);
            using var reader = command.ExecuteReader();
            var touched = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                touched.Add(reader.GetString(0));
            }

            return touched;
        }, cancellationToken, synced: false).ConfigureAwait(false);
        foreach (var id in ids)
        {
            _ready.Writer.TryWrite(id);
        }

        return ids.Count;
    }

    /// <summary>Holds or releases a message: a held message is kept but not delivered. False when there is no such message.</summary>
    public async Task<bool> SetHeldAsync(string id, bool held, CancellationToken cancellationToken)
    {
        var found = await Database.WriteAsync((connection, transaction) =>
        {
            using var command = QueueDatabase.Command(connection, transaction, "UPDATE messages SET held = $held WHERE id = $id");
            command.Parameters.AddWithValue("$held", held ? 1 : 0);
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken).ConfigureAwait(false);
        if (found && !held)
        {
            _ready.Writer.TryWrite(id);
        }

        return found;
    }

    /// <summary>Removes a message from the queue without delivering it (and without a bounce). False when there is no such message.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var found = await Database.WriteAsync((connection, transaction) =>
        {
            using var command = QueueDatabase.Command(connection, transaction, "DELETE FROM messages WHERE id = $id");
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken).ConfigureAwait(false);
        if (found)
        {
            File.Delete(ContentPath(id));
        }

        return found;
    }

    public void Dispose()
    {
        // Registered both as itself and as a hosted service: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
        _database?.Dispose();
    }

    internal void Announce(string id) => _ready.Writer.TryWrite(id);

    internal Task CommitAsync(string id, string? sender, IReadOnlyList<string> recipients, MessageKind kind, string origin, long size, DateTimeOffset receivedAt, byte[]? inline)
    {
        var pending = new PendingCommit(id, sender, recipients, kind, origin, size, receivedAt, inline);
        if (!_commits.Writer.TryWrite(pending))
        {
            throw new IOException("The mail queue is stopping; try again in a moment.");
        }

        return pending.Done.Task;
    }

    internal static string NewId(DateTimeOffset now)
    {
        // Sortable by arrival: 11 hex digits of milliseconds, then 40 random bits.
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        return now.ToUnixTimeMilliseconds().ToString("X11", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexString(random);
    }

    private MessageContent? ReadContent(SqliteConnection connection, string id)
    {
        using var command = QueueDatabase.Command(connection, null, "SELECT content FROM messages WHERE id = $id");
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new MessageContent(reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0), ContentPath(id)) : null;
    }

    private static bool Exists(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var command = QueueDatabase.Command(connection, transaction, "SELECT 1 FROM messages WHERE id = $id");
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is not null;
    }

    private void EnsureFreeSpace()
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetFullPath(_node.QueueDir)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return; // Cannot tell: writing will say if the disk is full.
        }

        if (free < _options.MinFreeBytes)
        {
            LogDiskLow(_logger, free, _options.MinFreeBytes);
            throw new MailStorageFullException($"Only {free} bytes are free on the mail queue's disk; the node keeps {_options.MinFreeBytes}.");
        }
    }

    /// <summary>
    /// A message is normally removed in the transaction that records its last recipient. One
    /// whose last recipients were committed as delivered on their own (a 250 from another
    /// server, synced at once) and whose removal a crash prevented is removed here.
    /// </summary>
    private async Task RemoveFinishedMessagesAsync(CancellationToken cancellationToken)
    {
        var removed = await Database.WriteAsync((connection, transaction) =>
        {
            using var command = QueueDatabase.Command(connection, transaction,
                "DELETE FROM messages WHERE NOT EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = messages.id AND r.state = 0)");
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
        if (removed > 0)
        {
            LogRemovedFinished(_logger, removed);
        }
    }

    private void RemoveUncommittedFiles()
    {
        var committed = Database.Read(connection =>
        {
            using var command = QueueDatabase.Command(connection, null, "SELECT id FROM messages");
            using var reader = command.ExecuteReader();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        });
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(MessagesDir))
        {
            if (!committed.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                removed++;
            }
        }

        if (removed > 0)
        {
            LogRemovedUncommitted(_logger, removed);
        }

        LogStarted(_logger, committed.Count);
    }

    private async Task CommitLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new List<PendingCommit>(MaxBatch);
        while (await _commits.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _commits.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                if (batch.Exists(item => item.Inline is null))
                {
                    DurableFiles.SyncDirectory(MessagesDir);
                }

                await Database.WriteAsync((connection, transaction) =>
                {
                    foreach (var item in batch)
                    {
                        QueueDatabase.InsertMessage(connection, transaction, item.Id, item.Sender, item.ReceivedAt, item.Size, item.Kind, item.Origin, item.Recipients, item.Inline);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SqliteException)
            {
                LogCommitFailed(_logger, e, batch.Count);
                var error = DurableFiles.IsDiskFull(e) ? new MailStorageFullException("The mail queue's disk is full.", e) : e;
                foreach (var item in batch)
                {
                    item.Done.TrySetException(error);
                }

                continue;
            }

            foreach (var item in batch)
            {
                item.Done.TrySetResult();
                _ready.Writer.TryWrite(item.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail queue started with {Count} messages waiting.")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Count} message files that were never committed (a crash while receiving them); their senders were not told 250.")]
    private static partial void LogRemovedUncommitted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} messages every recipient of which was done (a stop between their last delivery and their removal).")]
    private static partial void LogRemovedFinished(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} messages to the queue failed; their senders are told to try again.")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing mail: {Free} bytes free on the queue's disk, below the {Minimum} kept free.")]
    private static partial void LogDiskLow(ILogger logger, long free, long minimum);

    private sealed record PendingCommit(string Id, string? Sender, IReadOnlyList<string> Recipients, MessageKind Kind, string Origin, long Size, DateTimeOffset ReceivedAt, byte[]? Inline)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class SpoolWriter(MailQueue queue, string id, string path, SpillStream stream) : ISpoolWriter
    {
        private bool _committed;

        public string QueueId => id;

        public Stream Content => stream;

        public ValueTask CommitAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(envelope);
            var origin = $"{envelope.Client.Port.ToString().ToLowerInvariant()} {envelope.Client.Address}"
                + (envelope.Client.AuthenticatedAs is { } user ? $" {user}" : string.Empty)
                + (envelope.Client.PeerNode is { } peer ? $" peer {peer}" : string.Empty);
            return new ValueTask(CommitAsync(envelope.Sender?.ToString(), envelope.Recipients.Select(r => r.ToString()).ToList(), MessageKind.Mail, origin, cancellationToken, envelope.ReceivedAt));
        }

        public async Task CommitAsync(string? sender, IReadOnlyList<string> recipients, MessageKind kind, string origin, CancellationToken cancellationToken, DateTimeOffset? receivedAt = null)
        {
            if (recipients.Count == 0)
            {
                throw new ArgumentException("A message needs at least one recipient.", nameof(recipients));
            }

            try
            {
                byte[]? inline = null;
                if (stream.IsInline)
                {
                    inline = stream.InlineBytes();
                }
                else
                {
                    stream.FlushToDisk();
                }

                var size = stream.Length;
                await stream.DisposeAsync().ConfigureAwait(false);
                await queue.CommitAsync(id, sender, recipients, kind, origin, size, receivedAt ?? queue._clock.GetUtcNow(), inline).ConfigureAwait(false);
                _committed = true;
            }
            catch (IOException e) when (e is not MailStorageFullException && DurableFiles.IsDiskFull(e))
            {
                throw new MailStorageFullException("The mail queue's disk is full.", e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            var spilled = !stream.IsInline;
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_committed && spilled)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                    // Removed at the next start, as every uncommitted file is.
                }
            }
        }
    }
}
