using System.Collections.Concurrent;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>A user a request could not migrate, and why.</summary>
public sealed record MigrationRefusal(string User, string Code, string Message);

/// <summary>
/// <i>Migrate Here</i> (manual chapter 10), on the target node: starts jobs, lists them,
/// cancels them. <see cref="MigrationRunner"/> runs them; this class also carries their live
/// progress to the console.
/// </summary>
public sealed class MigrationService(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    IClusterTopology topology,
    AuditLog audit,
    LicenceService licence,
    TimeProvider clock) : IDisposable
{
    public const string StartAction = "migration.start";
    public const string CancelAction = "migration.cancel";
    public const string FinishAction = "migration.finish";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly ConcurrentDictionary<string, MigrationInfo> _active = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Raised on every change of a job: a phase, progress, the end.</summary>
    public event EventHandler<MigrationInfo>? Changed;

    /// <summary>Raised once when a job ends (completed, canceled or failed): the console's notification.</summary>
    public event EventHandler<MigrationInfo>? Finished;

    /// <summary>Raised when jobs were added or a cancel requested: the runner looks at once.</summary>
    internal event EventHandler? Requested;

    /// <summary>The unfinished job of a user, as last published; null when none.</summary>
    public MigrationInfo? ActiveFor(string address) => _active.GetValueOrDefault(address);

    /// <summary>Every unfinished job, as last published.</summary>
    public IReadOnlyCollection<MigrationInfo> Active => [.. _active.Values];

    /// <summary>
    /// Starts a job per user. All users are checked first; if any cannot move, nothing starts
    /// and the refusal lists each user with its reason.
    /// </summary>
    public async Task<IReadOnlyList<MigrationInfo>> StartAsync(Actor actor, IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(users);
        return await audit.RunAsync(actor, StartAction, string.Join(", ", users.Take(20)), async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers);
            if (users.Count == 0)
            {
                throw MailAdminException.Invalid("invalid-users", "Give at least one user to migrate: {\"users\": [\"name@company.com\"]}.");
            }

            if (users.Count > 1000)
            {
                throw MailAdminException.Invalid("invalid-users", "At most 1,000 users can be migrated in one request.");
            }

            // One start at a time: two requests must not both take the last free seat.
            await _starting.WaitAsync(cancellationToken);
            try
            {
                return await StartCheckedAsync(actor, users, cancellationToken);
            }
            finally
            {
                _starting.Release();
            }
        }, cancellationToken);
    }

    private async Task<IReadOnlyList<MigrationInfo>> StartCheckedAsync(Actor actor, IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var refusals = new List<MigrationRefusal>();
        var jobs = new List<MigrationJob>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var running = await db.MigrationJobs.AsNoTracking()
            .Where(j => j.State != MigrationStates.Completed && j.State != MigrationStates.Canceled && j.State != MigrationStates.Failed)
            .Select(j => j.Address).ToListAsync(cancellationToken);
        var moving = running.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var now = clock.GetUtcNow();
        foreach (var requested in users)
        {
            var (job, refusal) = await CheckAsync(db, actor.Principal, requested, moving, seen, now, cancellationToken);
            if (refusal is not null)
            {
                refusals.Add(refusal);
            }
            else if (job is not null)
            {
                jobs.Add(job);
            }
        }

        // Manual, chapter 3: no migration into a server whose licensed users are all taken.
        if (await licence.FreeForMigrationAsync(cancellationToken) is { } free && jobs.Count > free)
        {
            var seats = licence.Licence.Seats ?? 0;
            foreach (var job in jobs.Skip(free))
            {
                refusals.Add(new MigrationRefusal(job.Address, "licence-full",
                    $"{job.Address} cannot move here: this server is licensed for {Mailboxes(seats)} and "
                    + (free == 0 ? "every seat is taken." : $"{(free == 1 ? "1 seat is" : $"{free} seats are")} free for the {jobs.Count} users asked.")
                    + " Add seats to this server's licence, or migrate fewer users."));
            }
        }

        if (refusals.Count > 0)
        {
            var first = refusals[0];
            var message = refusals.Count == 1
                ? first.Message
                : $"{refusals.Count} of the {users.Count} users cannot be migrated, so none was started: " + string.Join(" ", refusals.Select(r => r.Message));
            var same = refusals.All(r => r.Code == first.Code);
            var kind = !same ? ErrorKind.Conflict : first.Code switch
            {
                "invalid-address" => ErrorKind.Invalid,
                "forbidden" => ErrorKind.Forbidden,
                "user-not-found" => ErrorKind.NotFound,
                _ => ErrorKind.Conflict,
            };
            throw new MailAdminException(kind, same ? first.Code : "migration-refused", message)
            {
                Details = new Dictionary<string, object?>
                {
                    ["refusals"] = refusals.Select(r => new Dictionary<string, object?> { ["user"] = r.User, ["code"] = r.Code, ["message"] = r.Message }).ToList(),
                },
            };
        }

        db.MigrationJobs.AddRange(jobs);
        await db.SaveChangesAsync(cancellationToken);
        var infos = jobs.Select(MigrationInfo.Of).ToList();
        foreach (var info in infos)
        {
            Publish(info);
        }

        Requested?.Invoke(this, EventArgs.Empty);
        return infos;
    }

    /// <summary>Jobs newest first, those of the reader's domain only for a domain administrator.</summary>
    public async Task<IReadOnlyList<MigrationInfo>> ListAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewUsers);
        var scope = AccessPolicy.DomainScope(reader);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var jobs = await db.MigrationJobs.AsNoTracking().OrderByDescending(j => j.CreatedAt).Take(1000).ToListAsync(cancellationToken);
        return [.. jobs.Where(j => scope is null || DomainOf(j.Address) == scope).Select(j => _active.TryGetValue(j.Address, out var live) && live.Id == j.Id ? live : MigrationInfo.Of(j))];
    }

    /// <summary><i>Cancel migration</i>: allowed until switching starts; the source stays exactly as it was.</summary>
    public Task<MigrationInfo> CancelAsync(Actor actor, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, CancelAction, id, async () =>
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var job = await db.MigrationJobs.SingleOrDefaultAsync(j => j.Id == id, cancellationToken)
                ?? throw MailAdminException.NotFound("migration-not-found", $"There is no migration {id} on this server. Migrations are listed on the server the mailboxes move to.");
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, DomainOf(job.Address));
            if (MigrationStates.IsFinished(job.State))
            {
                throw MailAdminException.Conflict("migration-finished", $"The migration of {job.Address} has already ended ({job.State}).");
            }

            if (!MigrationStates.IsCancelable(job.State))
            {
                throw MailAdminException.Conflict("migration-switching",
                    $"The migration of {job.Address} is {job.State}: the mailbox is being switched to this server and the move can no longer be canceled. It finishes in seconds.");
            }

            job.CancelRequested = true;
            await db.SaveChangesAsync(cancellationToken);
            var info = MigrationInfo.Of(job);
            Publish(info);
            Requested?.Invoke(this, EventArgs.Empty);
            return info;
        }, cancellationToken);
    }

    /// <summary>The runner's report of a job's state; finished jobs leave the live view.</summary>
    internal void Publish(MigrationInfo info)
    {
        if (info.IsFinished)
        {
            _active.TryRemove(new KeyValuePair<string, MigrationInfo>(info.User, _active.GetValueOrDefault(info.User)!));
        }
        else
        {
            _active[info.User] = info;
        }

        Changed?.Invoke(this, info);
    }

    private static string Mailboxes(int count) => count == 1 ? "1 mailbox" : $"{count} mailboxes";

    internal void RaiseFinished(MigrationInfo info) => Finished?.Invoke(this, info);

    private async Task<(MigrationJob? Job, MigrationRefusal? Refusal)> CheckAsync(
        NodeDbContext db, AdminPrincipal principal, string requested, HashSet<string> moving, HashSet<string> seen, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!MailAddresses.TryParse(requested, out var parsed))
        {
            return (null, new MigrationRefusal(requested, "invalid-address", $"'{Shorten(requested)}' is not a mail address."));
        }

        var address = parsed.ToString();
        if (!seen.Add(address))
        {
            return (null, null);
        }

        if (!AccessPolicy.Allows(principal, Permission.ManageUsers, parsed.Domain))
        {
            return (null, new MigrationRefusal(address, "forbidden", $"You may not migrate {address}: your role covers only the users of {principal.Domain}."));
        }

        var user = await db.Users.AsNoTracking().Include(u => u.Domain)
            .SingleOrDefaultAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart, cancellationToken);
        if (user is null)
        {
            return (null, new MigrationRefusal(address, "user-not-found", $"{address} is not a user this server knows. Check the address, or wait for the directory sync."));
        }

        if (user.Source != UserSource.Directory || !user.Domain.IsDistributed || topology.Role == NodeRole.Standalone)
        {
            return (null, new MigrationRefusal(address, "not-migratable",
                $"{address} cannot move: only directory users of a distributed domain have a home server to change; local users stay on their server (manual, chapter 8)."));
        }

        if (string.Equals(user.HomeServer, node.Name, StringComparison.OrdinalIgnoreCase))
        {
            return (null, new MigrationRefusal(address, "already-home", $"{address} already lives on this server ({node.Name})."));
        }

        if (moving.Contains(address))
        {
            return (null, new MigrationRefusal(address, "already-migrating", $"{address} is already being migrated; wait for that migration to end or cancel it on the Migration page."));
        }

        if (topology.FindPeer(user.HomeServer) is null)
        {
            return (null, new MigrationRefusal(address, "home-server-unknown", $"{address}'s home server {user.HomeServer} is not a member of the distributed domain as this server knows it."));
        }

        var job = new MigrationJob
        {
            Id = Guid.NewGuid().ToString("N"),
            Address = address,
            DirectoryId = user.DirectoryId ?? string.Empty,
            Source = user.HomeServer,
            Target = node.Name,
            StartedBy = principal.Id,
            ReportTo = ReportAddressOf(principal),
            CreatedAt = now,
        };
        return (job, null);
    }

    /// <summary>A directory administrator has a mailbox (<c>user:ann@company.com</c>); a local one has none.</summary>
    private static string? ReportAddressOf(AdminPrincipal principal) =>
        principal.Id.StartsWith("user:", StringComparison.Ordinal) && MailAddresses.TryParse(principal.Id[5..], out var parsed) ? parsed.ToString() : null;

    internal static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];

    private static string Shorten(string value) => value.Length > 80 ? value[..80] + "…" : value;

    public void Dispose() => _starting.Dispose();
}
