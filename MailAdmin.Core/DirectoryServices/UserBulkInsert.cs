using System.Text.Json;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Inserts many new users in the current transaction with two statements prepared once and
/// bound by position on SQLite's own handle. A first sync of a large directory adds tens of
/// thousands of users: through the change tracker that costs about 0.3 ms a user, through
/// <see cref="SqliteCommand"/> (parameters looked up by name, a data reader a row) about
/// 25 µs, here a few microseconds. The columns and their conversions are those of
/// <see cref="NodeDbContext"/>; the sync tests read every inserted field back through EF
/// Core, so a drift between the two fails them.
/// </summary>
internal static class UserBulkInsert
{
    private const string InsertUser = """
        INSERT INTO Users (DomainId, LocalPart, Name, Source, DirectoryId, DirectoryDn, Login, Enabled, MissingFromDirectory,
                           HomeServer, PasswordHash, Attributes, SearchText, CreatedAt, UpdatedAt)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12, ?13, ?14)
        """;

    private const string InsertAlias = "INSERT INTO UserAliases (UserId, DomainId, LocalPart) VALUES (?1, ?2, ?3)";

    public static void Insert(NodeDbContext db, IReadOnlyList<MailUser> users, CancellationToken cancellationToken)
    {
        if (users.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Bulk inserts run inside the sync's transaction.");
        }

        // SQLite does no I/O asynchronously: the work is synchronous on purpose.
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var handle = connection.Handle ?? throw new InvalidOperationException("The sync's connection is not open.");
        using var insertUser = Prepare(handle, InsertUser);
        using var insertAlias = Prepare(handle, InsertAlias);
        foreach (var user in users)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var s = insertUser;
            Check(handle, raw.sqlite3_bind_int64(s, 1, user.DomainId));
            BindText(handle, s, 2, user.LocalPart);
            BindText(handle, s, 3, user.Name);
            BindText(handle, s, 4, user.Source.ToString());
            BindText(handle, s, 5, user.DirectoryId);
            BindText(handle, s, 6, user.DirectoryDn);
            BindText(handle, s, 7, user.Login);
            Check(handle, raw.sqlite3_bind_int64(s, 8, user.Enabled ? 1 : 0));
            Check(handle, raw.sqlite3_bind_int64(s, 9, user.MissingFromDirectory ? 1 : 0));
            BindText(handle, s, 10, user.HomeServer);
            BindText(handle, s, 11, JsonSerializer.Serialize(user.Attributes, (JsonSerializerOptions?)null));
            BindText(handle, s, 12, user.SearchText);
            Check(handle, raw.sqlite3_bind_int64(s, 13, user.CreatedAt.ToUnixTimeMilliseconds()));
            Check(handle, raw.sqlite3_bind_int64(s, 14, user.UpdatedAt.ToUnixTimeMilliseconds()));
            Step(handle, s);
            user.Id = checked((int)raw.sqlite3_last_insert_rowid(handle));

            foreach (var alias in user.Aliases)
            {
                Check(handle, raw.sqlite3_bind_int64(insertAlias, 1, user.Id));
                Check(handle, raw.sqlite3_bind_int64(insertAlias, 2, alias.DomainId));
                BindText(handle, insertAlias, 3, alias.LocalPart);
                Step(handle, insertAlias);
                alias.UserId = user.Id;
                alias.Id = checked((int)raw.sqlite3_last_insert_rowid(handle));
            }
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, string sql)
    {
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        return statement;
    }

    private static void BindText(sqlite3 handle, sqlite3_stmt statement, int index, string? value) =>
        Check(handle, value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, value));

    /// <summary>Runs the insert and resets the statement for the next row (bindings are all overwritten).</summary>
    private static void Step(sqlite3 handle, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        _ = raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, handle);
            throw new SqliteException($"SQLite answered {rc} to an insert.", rc);
        }
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, handle);
        }
    }
}
