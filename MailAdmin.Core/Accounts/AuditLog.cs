using MailAdmin.Core.Errors;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Accounts;

public sealed record AuditQuery(string? Actor = null, string? Action = null, int Page = 1, int PageSize = 50);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Total);

/// <summary>
/// The trail of every state-changing action and every sign-in attempt.
/// Services record through <see cref="RunAsync{T}"/>, which writes the
/// outcome whether the operation succeeds, is refused or fails.
/// </summary>
public sealed class AuditLog(IDbContextFactory<NodeDbContext> databases, TimeProvider clock)
{
    public const string Success = "success";
    public const int MaxPageSize = 500;

    /// <remarks>
    /// The token is deliberately not used: a record of an action, or of a refusal,
    /// must be written even when the caller has given up waiting.
    /// </remarks>
    public async Task RecordAsync(string actor, string clientAddress, string action, string target, string result, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = Truncate(actor, 320),
            ClientAddress = Truncate(clientAddress, 64),
            Action = action,
            Target = Truncate(target, 512),
            Result = Truncate(result, 64),
        });

        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Runs a state-changing operation and records how it ended.</summary>
    public async Task<T> RunAsync<T>(Actor actor, string action, string target, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(operation);
        string result = "error";
        try
        {
            var value = await operation();
            result = Success;
            return value;
        }
        catch (MailAdminException e)
        {
            result = e.Code;
            throw;
        }
        finally
        {
            await RecordAsync(actor.Name, actor.ClientAddress, action, target, result, cancellationToken);
        }
    }

    public Task RunAsync(Actor actor, string action, string target, Func<Task> operation, CancellationToken cancellationToken) =>
        RunAsync(actor, action, target, async () =>
        {
            await operation();
            return true;
        }, cancellationToken);

    public async Task<AuditPage> QueryAsync(AdminPrincipal reader, AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        AccessPolicy.Demand(reader, Permission.ViewAudit);
        if (query.Page < 1)
        {
            throw MailAdminException.Invalid("invalid-page", "page starts at 1.");
        }

        if (query.PageSize is < 1 or > MaxPageSize)
        {
            throw MailAdminException.Invalid("invalid-page-size", $"pageSize must be from 1 to {MaxPageSize}.");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            entries = entries.Where(e => e.Actor.Contains(query.Actor.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action.StartsWith(query.Action.Trim()));
        }

        var total = await entries.CountAsync(cancellationToken);
        var items = await entries
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(cancellationToken);
        return new AuditPage(items, total);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
