using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>The queue database's own schema versions, on real SQLite files.</summary>
public sealed class QueueDatabaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailadmin-queuedb-").FullName;

    private string DatabasePath => Path.Combine(_dir, "queue.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Open_AQueueOfTheFirstSchema_IsUpgradedInPlace_AndKeepsItsMail()
    {
        Execute("""
            CREATE TABLE messages(id TEXT PRIMARY KEY, sender TEXT NULL, received_at INTEGER NOT NULL, size INTEGER NOT NULL, kind INTEGER NOT NULL,
                origin TEXT NOT NULL, held INTEGER NOT NULL DEFAULT 0, delay_warned INTEGER NOT NULL DEFAULT 0, content BLOB NULL);
            CREATE TABLE recipients(message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, idx INTEGER NOT NULL, address TEXT NOT NULL,
                original TEXT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, last_error TEXT NULL,
                remote_reply TEXT NULL, PRIMARY KEY(message_id, idx)) WITHOUT ROWID;
            INSERT INTO messages(id, sender, received_at, size, kind, origin) VALUES ('M1', 'ann@company.com', 0, 10, 0, 'incoming 127.0.0.1');
            INSERT INTO recipients(message_id, idx, address, state, attempts, next_attempt, last_error) VALUES ('M1', 0, 'bob@company.com', 0, 2, 0, '451 4.4.1 later');
            """);

        using (var database = new QueueDatabase(DatabasePath))
        {
            var message = database.Read(connection => QueueDatabase.ReadMessage(connection, "M1"))!;
            var recipient = Assert.Single(message.Recipients);
            Assert.Equal(("bob@company.com", 2, "451 4.4.1 later", (string?)null), (recipient.Address, recipient.Attempts, recipient.LastError, recipient.NextHop));
        }

        Assert.Equal(QueueDatabase.SchemaVersion, Scalar("PRAGMA user_version"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'recipients_hop'"));

        // Opening it again changes nothing.
        using (new QueueDatabase(DatabasePath))
        {
        }

        Assert.Equal(QueueDatabase.SchemaVersion, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void Open_AQueueOfANewerSchema_IsRefused_WithWhatToDo()
    {
        using (new QueueDatabase(DatabasePath))
        {
        }

        Execute($"PRAGMA user_version = {QueueDatabase.SchemaVersion + 1}");

        var refused = Assert.Throws<InvalidOperationException>(() => new QueueDatabase(DatabasePath));
        Assert.Contains("written by a newer version of MailAdmin", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AMessageWhoseRecipientsWereAllCommittedAsDelivered_LeavesTheQueue()
    {
        // As after a crash between a forward's synced 250 and the transaction that removes the message.
        var node = new NodeOptions { Name = "node1", PublicHost = "127.0.0.1", DataDir = _dir };
        string done;
        string waiting;
        using (var queue = new MailQueue(node, new QueueOptions(), TimeProvider.System, NullLogger<MailQueue>.Instance))
        {
            await queue.StartAsync(CancellationToken.None);
            done = await queue.EnqueueAsync("ann@company.com", ["bob@company.com"], MessageKind.Mail, s => s.WriteAsync("Subject: x\r\n\r\n"u8.ToArray()).AsTask(), CancellationToken.None);
            waiting = await queue.EnqueueAsync("ann@company.com", ["bob@company.com", "carol@company.com"], MessageKind.Mail, s => s.WriteAsync("Subject: y\r\n\r\n"u8.ToArray()).AsTask(), CancellationToken.None);
            await queue.Database.WriteAsync((connection, transaction) =>
            {
                using var command = QueueDatabase.Command(connection, transaction, "UPDATE recipients SET state = 1 WHERE message_id = $done OR (message_id = $waiting AND idx = 0)");
                command.Parameters.AddWithValue("$done", done);
                command.Parameters.AddWithValue("$waiting", waiting);
                command.ExecuteNonQuery();
            }, CancellationToken.None);
            await queue.StopAsync(CancellationToken.None);
        }

        using (var queue = new MailQueue(node, new QueueOptions(), TimeProvider.System, NullLogger<MailQueue>.Instance))
        {
            await queue.StartAsync(CancellationToken.None);
            Assert.Null(queue.Get(done));
            Assert.Equal([RecipientState.Delivered, RecipientState.Pending], queue.Get(waiting)!.Recipients.Select(r => r.State));
            await queue.StopAsync(CancellationToken.None);
        }
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
