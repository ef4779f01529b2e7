using System.Text.Json;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Inserts many new users in the current transaction with two prepared
/// statements. A first sync of a large directory adds tens of thousands of
/// users: through the change tracker that costs about 0.3 ms a user, here a
/// few microseconds. The columns and their conversions are those of
/// <see cref="NodeDbContext"/>; the sync tests read every inserted field back
/// through EF Core, so a drift between the two fails them.
/// </summary>
internal static class UserBulkInsert
{
    public static async Task InsertAsync(NodeDbContext db, IReadOnlyList<MailUser> users, CancellationToken cancellationToken)
    {
        if (users.Count == 0)
        {
            return;
        }

        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = (SqliteTransaction)(db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk inserts run inside the sync's transaction."));

        await using var insertUser = connection.CreateCommand();
        insertUser.Transaction = transaction;
        insertUser.CommandText = """
            INSERT INTO Users (DomainId, LocalPart, Name, Source, DirectoryId, DirectoryDn, Login, Enabled, MissingFromDirectory,
                               HomeServer, PasswordHash, Attributes, SearchText, CreatedAt, UpdatedAt)
            VALUES ($domain, $local, $name, $source, $directoryId, $dn, $login, $enabled, $missing,
                    $home, NULL, $attributes, $search, $created, $updated)
            RETURNING Id
            """;
        var p = new Dictionary<string, SqliteParameter>(StringComparer.Ordinal);
        foreach (var name in new[] { "$domain", "$local", "$name", "$source", "$directoryId", "$dn", "$login", "$enabled", "$missing", "$home", "$attributes", "$search", "$created", "$updated" })
        {
            p[name] = insertUser.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        await using var insertAlias = connection.CreateCommand();
        insertAlias.Transaction = transaction;
        insertAlias.CommandText = "INSERT INTO UserAliases (UserId, DomainId, LocalPart) VALUES ($user, $domain, $local)";
        var aliasUser = insertAlias.Parameters.Add(new SqliteParameter { ParameterName = "$user" });
        var aliasDomain = insertAlias.Parameters.Add(new SqliteParameter { ParameterName = "$domain" });
        var aliasLocal = insertAlias.Parameters.Add(new SqliteParameter { ParameterName = "$local" });

        foreach (var user in users)
        {
            p["$domain"].Value = user.DomainId;
            p["$local"].Value = user.LocalPart;
            p["$name"].Value = user.Name;
            p["$source"].Value = user.Source.ToString();
            p["$directoryId"].Value = (object?)user.DirectoryId ?? DBNull.Value;
            p["$dn"].Value = (object?)user.DirectoryDn ?? DBNull.Value;
            p["$login"].Value = (object?)user.Login ?? DBNull.Value;
            p["$enabled"].Value = user.Enabled;
            p["$missing"].Value = user.MissingFromDirectory;
            p["$home"].Value = user.HomeServer;
            p["$attributes"].Value = JsonSerializer.Serialize(user.Attributes);
            p["$search"].Value = user.SearchText;
            p["$created"].Value = user.CreatedAt.ToUnixTimeMilliseconds();
            p["$updated"].Value = user.UpdatedAt.ToUnixTimeMilliseconds();
            cancellationToken.ThrowIfCancellationRequested();

            // Synchronous on purpose: SQLite does no I/O asynchronously, and the async
            // wrappers cost more than the insert itself at this rate.
            user.Id = Convert.ToInt32(insertUser.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

            foreach (var alias in user.Aliases)
            {
                aliasUser.Value = user.Id;
                aliasDomain.Value = alias.DomainId;
                aliasLocal.Value = alias.LocalPart;
                insertAlias.ExecuteNonQuery();
            }
        }
    }
}
