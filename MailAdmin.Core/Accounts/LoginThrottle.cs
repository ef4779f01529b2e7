using System.Collections.Concurrent;

namespace MailAdmin.Core.Accounts;

/// <summary>
/// Refuses a client that keeps guessing: after <see cref="MaxFailures"/>
/// failed sign-ins from one client address within <see cref="Window"/>, that
/// address is refused for <see cref="LockoutPeriod"/>, right password
/// included. A success clears the count. The state lives in memory: a
/// restart forgets it, which an attacker cannot cause from outside. The
/// table is pruned so that a flood of addresses cannot grow it without bound.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(5);
    private const int MaxTrackedClients = 100_000;

    private readonly ConcurrentDictionary<string, ClientState> _clients = new(StringComparer.Ordinal);

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
        if (_clients.Count >= MaxTrackedClients)
        {
            Prune();
        }

        var state = _clients.GetOrAdd(client, _ => new ClientState());
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

    public void RecordSuccess(string client) => _clients.TryRemove(client, out _);

    private void Prune()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, state) in _clients)
        {
            lock (state)
            {
                var stale = state.LockedUntil <= now && now - state.LastFailure > Window;
                if (stale)
                {
                    _clients.TryRemove(key, out _);
                }
            }
        }
    }

    private sealed class ClientState
    {
        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset LockedUntil { get; set; }

        public DateTimeOffset LastFailure { get; set; }
    }
}
