using System.Collections.Concurrent;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// Refuses a client that keeps guessing: after <see cref="MaxFailures"/>
/// failed sign-ins from one client address within <see cref="Window"/>, that
/// address is refused for <see cref="LockoutPeriod"/>, right password
/// included. A success clears the count. The state lives in memory: a
/// restart forgets it, which an attacker cannot cause from outside. When a
/// flood of addresses fills the table, stale entries go first, then the
/// counts of clients that are not locked out (they start again from zero):
/// memory stays bounded and a locked-out client stays locked.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public const int MaxTrackedClients = 100_000;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ClientState> _clients = new(StringComparer.Ordinal);
    private readonly Lock _pruneLock = new();
    private int _tracked;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>How long the client must still wait, or null when it may try.</summary>
    public TimeSpan? LockedFor(string client)
    {
        if (!_clients.TryGetValue(client, out var state))
        {
            return null;
        }

        lock (state)
        {
            var now = clock.GetUtcNow();
            return state.LockedUntil > now ? state.LockedUntil - now : null;
        }
    }

    /// <summary>Counts a failure; true when this failure locks the client out.</summary>
    public bool RecordFailure(string client)
    {
        if (Volatile.Read(ref _tracked) >= MaxTrackedClients)
        {
            Prune();
        }

        if (!_clients.TryGetValue(client, out var state))
        {
            var fresh = new ClientState();
            state = _clients.GetOrAdd(client, fresh);
            if (ReferenceEquals(state, fresh))
            {
                Interlocked.Increment(ref _tracked);
            }
        }
        lock (state)
        {
            var now = clock.GetUtcNow();
            state.Failures.Enqueue(now);
            state.LastFailure = now;
            while (state.Failures.TryPeek(out var oldest) && now - oldest > Window)
            {
                state.Failures.Dequeue();
            }

            if (state.Failures.Count < MaxFailures)
            {
                return false;
            }

            state.Failures.Clear();
            state.LockedUntil = now + LockoutPeriod;
            return true;
        }
    }

    public void RecordSuccess(string client) => Forget(client);

    /// <summary>How many clients the table holds now.</summary>
    internal int TrackedClients => Volatile.Read(ref _tracked);

    private void Prune()
    {
        var now = clock.GetUtcNow();
        lock (_pruneLock)
        {
            // One scan per interval at most, so a full table does not make every failure a full scan.
            if (now - _lastPrune < PruneInterval && _tracked < MaxTrackedClients * 2)
            {
                return;
            }

            _lastPrune = now;
            RemoveWhere(state => state.LockedUntil <= now && now - state.LastFailure > Window);
            if (Volatile.Read(ref _tracked) >= MaxTrackedClients)
            {
                RemoveWhere(state => state.LockedUntil <= now);
            }
        }
    }

    private void RemoveWhere(Func<ClientState, bool> predicate)
    {
        foreach (var (key, state) in _clients)
        {
            bool remove;
            lock (state)
            {
                remove = predicate(state);
            }

            if (remove)
            {
                Forget(key);
            }
        }
    }

    private void Forget(string client)
    {
        if (_clients.TryRemove(client, out _))
        {
            Interlocked.Decrement(ref _tracked);
        }
    }

    private sealed class ClientState
    {
        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset LockedUntil { get; set; }

        public DateTimeOffset LastFailure { get; set; }
    }
}
