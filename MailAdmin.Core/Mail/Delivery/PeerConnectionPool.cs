using System.Collections.Concurrent;
using System.Diagnostics;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>
/// Idle SMTP connections to peer nodes, kept for the next message to the same node. Opening a
/// connection between nodes costs a TCP and a TLS handshake with certificates on both sides
/// and a membership check of the client certificate on the receiving side: several times the
/// work of sending one message. A connection is reused only while it is younger than the
/// pool's maximum age, counted from when it was opened, so a peer session cannot keep the
/// rights it was given at STARTTLS for long after a node left the domain; a timer closes what
/// has grown too old, so nothing idles until the peer's idle timeout.
/// </summary>
internal sealed class PeerConnectionPool : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentStack<PeerConnection>> _idle = new(StringComparer.Ordinal);
    private readonly int _maxIdlePerPeer;
    private readonly TimeSpan _maxAge;
    private readonly ITimer _sweeper;
    private volatile bool _disposed;

    public PeerConnectionPool(int maxIdlePerPeer, TimeSpan maxAge)
    {
        _maxIdlePerPeer = maxIdlePerPeer;
        _maxAge = maxAge;
        _sweeper = TimeProvider.System.CreateTimer(_ => Sweep(), null, maxAge, maxAge);
    }

    /// <summary>An idle connection to the peer that <paramref name="key"/> names, still open and young enough; null when there is none.</summary>
    public PeerConnection? TryTake(string key)
    {
        if (!_idle.TryGetValue(key, out var idle))
        {
            return null;
        }

        while (idle.TryPop(out var connection))
        {
            if (IsUsable(connection))
            {
                return connection;
            }

            connection.Dispose();
        }

        return null;
    }

    /// <summary>Keeps <paramref name="connection"/> for the next message; false when it is not wanted (too old, closed, enough idle ones): then the caller closes it.</summary>
    public bool TryReturn(string key, PeerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_disposed || !IsUsable(connection))
        {
            return false;
        }

        var idle = _idle.GetOrAdd(key, _ => new ConcurrentStack<PeerConnection>());
        if (idle.Count >= _maxIdlePerPeer)
        {
            return false;
        }

        idle.Push(connection);
        return true;
    }

    /// <summary>Closes every idle connection to the peer: one of them broke, so the peer most likely closed them all (it restarted).</summary>
    public void Clear(string key)
    {
        if (_idle.TryGetValue(key, out var idle))
        {
            while (idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _sweeper.Dispose();
        foreach (var key in _idle.Keys)
        {
            Clear(key);
        }
    }

    private bool IsUsable(PeerConnection connection) => connection.Client.IsConnected && connection.Age < _maxAge;

    private void Sweep()
    {
        foreach (var idle in _idle.Values)
        {
            // Taken out and put back: a sender that finds the stack empty meanwhile opens a new connection, which is harmless.
            var keep = new List<PeerConnection>();
            while (idle.TryPop(out var connection))
            {
                if (IsUsable(connection))
                {
                    keep.Add(connection);
                }
                else
                {
                    connection.Dispose();
                }
            }

            for (var i = keep.Count - 1; i >= 0; i--)
            {
                if (_disposed)
                {
                    keep[i].Dispose();
                }
                else
                {
                    idle.Push(keep[i]);
                }
            }
        }
    }
}

/// <summary>One connected, TLS-secured SMTP client to a peer node, and when it was opened.</summary>
internal sealed class PeerConnection(RecordingSmtpClient client) : IDisposable
{
    private readonly long _opened = Stopwatch.GetTimestamp();

    public RecordingSmtpClient Client { get; } = client;

    public TimeSpan Age => Stopwatch.GetElapsedTime(_opened);

    public void Dispose() => Client.Dispose();
}
