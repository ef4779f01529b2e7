using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// The queue's own SQLite database (<c>queue/queue.db</c>), apart from the node's
/// configuration so that mail traffic never waits on an administrator's change or the other
/// way round. WAL with <c>synchronous=FULL</c>: a committed transaction is on disk. One writer
/// connection, shared under a lock; readers use their own.
/// </summary>
internal sealed class QueueDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>The schema this code writes; <c>PRAGMA user_version</c> says which one a file has.</summary>
    public const int SchemaVersion = 1;

    /// <summary>
    /// Steps from each schema to the next, applied in order at open, each in its own
    /// transaction together with the version it reaches. Version 0 is the first schema
    /// (made by <c>CREATE TABLE IF NOT EXISTS</c>, before the queue counted versions).
    /// </summary>
    private static readonly string[] Upgrades =
    [
        // 0 → 1: where each waiting recipient goes next, so "retry everything waiting for node X" is one query.
        """
        ALTER TABLE recipients ADD COLUMN next_hop TEXT NULL;
        CREATE INDEX recipients_hop ON recipients(next_hop) WHERE state = 0;
        """,
    ];

    public QueueDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 10 }.ToString();
        _writer = Open();
        Execute(_writer, "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;");
        Execute(_writer, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS messages(
                id TEXT PRIMARY KEY,
                sender TEXT NULL,
                received_at INTEGER NOT NULL,
                size INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                origin TEXT NOT NULL,
                held INTEGER NOT NULL DEFAULT 0,
                delay_warned INTEGER NOT NULL DEFAULT 0,
                content BLOB NULL);
            CREATE TABLE IF NOT EXISTS recipients(
                message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                idx INTEGER NOT NULL,
                address TEXT NOT NULL,
                original TEXT NULL,
                state INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt INTEGER NOT NULL,
                last_error TEXT NULL,
                remote_reply TEXT NULL,
                PRIMARY KEY(message_id, idx)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS recipients_due ON recipients(state, next_attempt);
            """);
        Upgrade(path);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction. <paramref name="synced"/> false
    /// commits without waiting for the disk (<c>synchronous=NORMAL</c>): still atomic and
    /// consistent, and it survives the process being killed, but a power cut may undo it. Use
    /// it only for changes that may safely be redone (delivery state: local delivery is
    /// idempotent); a message's acceptance is always synced.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken, bool synced = true)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Execute(_writer, synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            using var transaction = _writer.BeginTransaction();
            var result = work(_writer, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken cancellationToken, bool synced = true) =>
        WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, cancellationToken, synced);

    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = Open();
        return work(connection);
    }

    public static void InsertMessage(SqliteConnection connection, SqliteTransaction transaction, string id, string? sender, DateTimeOffset receivedAt, long size, MessageKind kind, string origin, IReadOnlyList<string> recipients, byte[]? content)
    {
        using var message = Command(connection, transaction,
            "INSERT INTO messages(id, sender, received_at, size, kind, origin, content) VALUES ($id, $sender, $at, $size, $kind, $origin, $content)");
        message.Parameters.AddWithValue("$content", (object?)content ?? DBNull.Value);
        message.Parameters.AddWithValue("$id", id);
        message.Parameters.AddWithValue("$sender", (object?)sender ?? DBNull.Value);
        message.Parameters.AddWithValue("$at", receivedAt.ToUnixTimeMilliseconds());
        message.Parameters.AddWithValue("$size", size);
        message.Parameters.AddWithValue("$kind", (int)kind);
        message.Parameters.AddWithValue("$origin", origin);
        message.ExecuteNonQuery();
        InsertRecipients(connection, transaction, id, 0, recipients, original: null, receivedAt);
    }

    public static void InsertRecipients(SqliteConnection connection, SqliteTransaction transaction, string id, int firstIndex, IReadOnlyList<string> addresses, string? original, DateTimeOffset due)
    {
        using var command = Command(connection, transaction,
            "INSERT INTO recipients(message_id, idx, address, original, state, next_attempt) VALUES ($id, $idx, $address, $original, 0, $due)");
        var idx = command.Parameters.Add("$idx", SqliteType.Integer);
        var address = command.Parameters.Add("$address", SqliteType.Text);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$original", (object?)original ?? DBNull.Value);
        command.Parameters.AddWithValue("$due", due.ToUnixTimeMilliseconds());
        command.Prepare();
        for (var i = 0; i < addresses.Count; i++)
        {
            idx.Value = firstIndex + i;
            address.Value = addresses[i];
            command.ExecuteNonQuery();
        }
    }

    public static QueuedMessage? ReadMessage(SqliteConnection connection, string id)
    {
        using var command = Command(connection, null, "SELECT sender, received_at, size, held, delay_warned, kind, origin FROM messages WHERE id = $id");
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var message = new QueuedMessage(
            id,
            reader.IsDBNull(0) ? null : reader.GetString(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.GetInt64(2),
            reader.GetInt64(3) != 0,
            reader.GetInt64(4) != 0,
            (MessageKind)reader.GetInt32(5),
            [],
            reader.GetString(6));
        return message with { Recipients = ReadRecipients(connection, id) };
    }

    public static List<QueuedRecipient> ReadRecipients(SqliteConnection connection, string id)
    {
        using var command = Command(connection, null,
            "SELECT idx, address, original, state, attempts, next_attempt, last_error, remote_reply, next_hop FROM recipients WHERE message_id = $id ORDER BY idx");
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        var recipients = new List<QueuedRecipient>();
        while (reader.Read())
        {
            recipients.Add(new QueuedRecipient(
                reader.GetInt32(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                (RecipientState)reader.GetInt32(3),
                reader.GetInt32(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return recipients;
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _writer.Dispose();
        _writeLock.Dispose();
    }

    private void Upgrade(string path)
    {
        using var read = Command(_writer, null, "PRAGMA user_version");
        var version = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException($"The mail queue {path} was written by a newer version of MailAdmin (queue schema {version}, this one knows {SchemaVersion}). Run that version, or move the queue folder aside.");
        }

        for (; version < SchemaVersion; version++)
        {
            using var transaction = _writer.BeginTransaction();
            using var step = Command(_writer, transaction, Upgrades[version] + string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version + 1};"));
            step.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private SqliteConnection Open()
    {
        // Readers need no pragmas (the writer sets its own); pooled connections stay open between reads.
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, null, sql);
        command.ExecuteNonQuery();
    }
}
