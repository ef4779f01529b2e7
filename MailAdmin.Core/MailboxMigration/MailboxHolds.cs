using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>
/// Mailboxes whose migration is switching. Mail for them waits in the queue (it is neither
/// bounced nor written into the copy being moved) and their users may not sign in. A hold is
/// written to the node's database before it takes effect, so it outlives a crash; only the
/// migration that placed it releases it.
/// </summary>
public sealed class MailboxHolds(IDbContextFactory<NodeDbContext> databases, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MailboxHold> _held = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _writing = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Raised with the address when a hold ends: what waited for it may go now.</summary>
    public event EventHandler<string>? Released;

    /// <summary>Reads the holds a previous run left (a node that stopped mid-switch).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.MailboxHolds.AsNoTracking().ToListAsync(cancellationToken);
        lock (_gate)
        {
            _held.Clear();
            foreach (var row in rows)
            {
                _held[row.Address] = row;
            }
        }
    }

    public MailboxHold? HoldOf(string address)
    {
        lock (_gate)
        {
            return _held.GetValueOrDefault(address);
        }
    }

    public bool IsHeld(string address) => HoldOf(address) is not null;

    /// <summary>
    /// Marks a delivery writing into the mailbox; null when it is held (the delivery must wait).
    /// A hold placed meanwhile waits for the returned lease to be disposed.
    /// </summary>
    public IDisposable? TryEnterDelivery(string address)
    {
        lock (_gate)
        {
            if (_held.ContainsKey(address))
            {
                return null;
            }

            _writing[address] = _writing.GetValueOrDefault(address) + 1;
            return new Lease(this, address);
        }
    }

    /// <summary>
    /// Holds the mailbox for <paramref name="jobId"/> (again, after a restart: idempotent) and
    /// returns once no delivery writes into it. Refused when another job holds it.
    /// </summary>
    public async Task HoldAsync(string address, string jobId, string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var existing = HoldOf(address);
        if (existing is not null && existing.JobId != jobId)
        {
            throw new InvalidOperationException($"{address} is held by another migration ({existing.JobId}).");
        }

        if (existing is null)
        {
            var hold = new MailboxHold { Address = address.ToLowerInvariant(), JobId = jobId, Target = target, Since = clock.GetUtcNow() };
            await using (var db = await databases.CreateDbContextAsync(cancellationToken))
            {
                db.MailboxHolds.Add(hold);
                await db.SaveChangesAsync(cancellationToken);
            }

            lock (_gate)
            {
                _held[hold.Address] = hold;
            }
        }

        while (true)
        {
            lock (_gate)
            {
                if (_writing.GetValueOrDefault(address) == 0)
                {
                    return;
                }
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>Ends the hold of <paramref name="jobId"/> (any job's when null). True when there was one.</summary>
    public async Task<bool> ReleaseAsync(string address, string? jobId, CancellationToken cancellationToken)
    {
        var existing = HoldOf(address);
        if (existing is null || (jobId is not null && existing.JobId != jobId))
        {
            return false;
        }

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await db.MailboxHolds.Where(h => h.Address == existing.Address).ExecuteDeleteAsync(cancellationToken);
        }

        lock (_gate)
        {
            _held.Remove(existing.Address);
        }

        Released?.Invoke(this, existing.Address);
        return true;
    }

    private void Leave(string address)
    {
        lock (_gate)
        {
            var count = _writing.GetValueOrDefault(address) - 1;
            if (count <= 0)
            {
                _writing.Remove(address);
            }
            else
            {
                _writing[address] = count;
            }
        }
    }

    private sealed class Lease(MailboxHolds owner, string address) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(address);
            }
        }
    }
}
