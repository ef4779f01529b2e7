using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Licensing;

/// <summary>How full the node's licence is.</summary>
public enum LicenceState
{
    /// <summary>Below 90 % of the seats, or unlimited.</summary>
    Ok,

    /// <summary>From 90 % of the seats: time to buy more.</summary>
    Warning,

    /// <summary>Every seat is taken: nobody more can be migrated here.</summary>
    Full,

    /// <summary>More mailboxes than seats: the most recently added cannot sign in.</summary>
    Over,
}

/// <summary>What the app bar, the Licence page and <c>GET /api/v1/node</c> show.</summary>
/// <param name="Seats">Licensed mailboxes; null when unlimited.</param>
/// <param name="Used">Active mailboxes homed on this node.</param>
/// <param name="Beyond">The mailboxes beyond the seats, most recently added first: they cannot sign in.</param>
public sealed record LicenceUsage(int? Seats, int Used, LicenceSource Source, string? Licensee, IReadOnlyList<string> Beyond)
{
    public const double WarningShare = 0.9;

    public int? Free => Seats is { } seats ? Math.Max(0, seats - Used) : null;

    public LicenceState State => Seats switch
    {
        null => LicenceState.Ok,
        var seats when Used > seats => LicenceState.Over,
        var seats when Used == seats => LicenceState.Full,
        var seats when Used >= WarningShare * seats => LicenceState.Warning,
        _ => LicenceState.Ok,
    };
}

/// <summary>
/// Counts the node's seats as the manual's chapter 3 does: every active mailbox
/// that lives here, local users and directory users homed on this node alike;
/// mailing lists, resources, aliases, domains and the users of other servers are
/// free. When the node holds more mailboxes than seats, the ones beyond the limit
/// (the most recently added first) cannot sign in; their mail is still delivered.
/// The count is kept for a few seconds, so a busy submission port does not count
/// every mailbox at every sign-in.
/// </summary>
public sealed class LicenceService(IDbContextFactory<NodeDbContext> databases, NodeOptions node, LicenceOptions licence, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _counting = new(1, 1);
    private (LicenceUsage Usage, HashSet<string> Beyond, DateTimeOffset At)? _last;

    public LicenceOptions Licence => licence;

    /// <summary>The usage as every administrator may see it (the app bar shows it to all).</summary>
    public Task<LicenceUsage> GetUsageAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewNode);
        return UsageAsync(cancellationToken);
    }

    /// <summary>The usage with the mailboxes beyond the seats named, for those who administer the whole server.</summary>
    public Task<LicenceUsage> GetDetailAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewLicence);
        return UsageAsync(cancellationToken);
    }

    public async Task<LicenceUsage> UsageAsync(CancellationToken cancellationToken) => (await CountAsync(cancellationToken)).Usage;

    /// <summary>True when the mailbox (primary address, lower case) is beyond the node's seats.</summary>
    public async Task<bool> IsBeyondLimitAsync(string address, CancellationToken cancellationToken) =>
        (await CountAsync(cancellationToken)).Beyond.Contains(address);

    /// <summary>
    /// The free seats for mailboxes about to move here: the seats less the mailboxes
    /// here and those already on their way (migrations not yet committed); null when unlimited.
    /// </summary>
    public async Task<int?> FreeForMigrationAsync(CancellationToken cancellationToken)
    {
        if (licence.Seats is not { } seats)
        {
            return null;
        }

        var usage = await CountNowAsync(cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var incoming = await db.MigrationJobs.AsNoTracking()
            .CountAsync(j => j.Target == node.Name && (j.State == MigrationStates.Queued || j.State == MigrationStates.Checking || j.State == MigrationStates.Copying
                || j.State == MigrationStates.Verifying || j.State == MigrationStates.Switching), cancellationToken);
        return Math.Max(0, seats - usage.Usage.Used - incoming);
    }

    /// <summary>Forgets the kept count, after a change that adds or removes mailboxes here.</summary>
    public void Invalidate() => _last = null;

    private async Task<(LicenceUsage Usage, HashSet<string> Beyond, DateTimeOffset At)> CountAsync(CancellationToken cancellationToken)
    {
        if (_last is { } last && clock.GetUtcNow() - last.At < Fresh)
        {
            return last;
        }

        return await CountNowAsync(cancellationToken);
    }

    private async Task<(LicenceUsage Usage, HashSet<string> Beyond, DateTimeOffset At)> CountNowAsync(CancellationToken cancellationToken)
    {
        await _counting.WaitAsync(cancellationToken);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var here = db.Users.AsNoTracking().Where(u => u.HomeServer == node.Name && u.Enabled && !u.MissingFromDirectory);
            var used = await here.CountAsync(cancellationToken);
            List<string> beyond = [];
            if (licence.Seats is { } seats && used > seats)
            {
                beyond = await here.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id)
                    .Take(used - seats)
                    .Select(u => u.LocalPart + "@" + u.Domain.Name)
                    .ToListAsync(cancellationToken);
            }

            var counted = (new LicenceUsage(licence.Seats, used, licence.Source, licence.Licensee, beyond), beyond.ToHashSet(StringComparer.Ordinal), clock.GetUtcNow());
            _last = counted;
            return counted;
        }
        finally
        {
            _counting.Release();
        }
    }

    public void Dispose() => _counting.Dispose();
}
