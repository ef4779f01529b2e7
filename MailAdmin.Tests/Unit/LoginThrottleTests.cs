using MailAdmin.Core.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace MailAdmin.Tests.Unit;

public sealed class LoginThrottleTests
{
    private const string Client = "192.0.2.10";
    private const string OtherClient = "192.0.2.11";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() => _throttle = new LoginThrottle(_clock);

    [Fact]
    public void RecordFailure_FloodOfAddresses_StaysBoundedAndKeepsLockedClientsLocked()
    {
        FailTimes(Client, 5);

        for (var i = 0; i < LoginThrottle.MaxTrackedClients + 20_000; i++)
        {
            _throttle.RecordFailure($"flood-{i}");
        }

        Assert.True(_throttle.TrackedClients <= LoginThrottle.MaxTrackedClients + 1, $"{_throttle.TrackedClients} clients tracked");
        Assert.NotNull(_throttle.LockedFor(Client));
    }

    [Fact]
    public void LockedFor_UnknownClient_ReturnsNull()
    {
        Assert.Null(_throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordFailure_FourFailures_DoesNotLock()
    {
        for (var i = 0; i < 4; i++)
        {
            Assert.False(_throttle.RecordFailure(Client));
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Null(_throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordFailure_FifthFailure_LocksForFiveMinutes()
    {
        FailTimes(Client, 4);

        Assert.True(_throttle.RecordFailure(Client));

        Assert.Equal(TimeSpan.FromMinutes(5), _throttle.LockedFor(Client));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(3), _throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordFailure_FailuresSpreadOverMoreThanFiveMinutes_DoesNotLock()
    {
        // One failure every 100 s for 8 min 20 s: six failures in all, but any
        // five of them span at least 400 s, more than the five-minute window.
        Assert.False(_throttle.RecordFailure(Client));
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(100));
            Assert.False(_throttle.RecordFailure(Client));
        }

        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.False(_throttle.RecordFailure(Client));
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.False(_throttle.RecordFailure(Client));

        Assert.Null(_throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordFailure_FiveFailuresWithinTheWindowAfterOlderOnes_Locks()
    {
        Assert.False(_throttle.RecordFailure(Client));
        _clock.Advance(TimeSpan.FromMinutes(10));

        FailTimes(Client, 4);

        Assert.True(_throttle.RecordFailure(Client));
        Assert.NotNull(_throttle.LockedFor(Client));
    }

    [Fact]
    public void LockedFor_FiveMinutesAfterLockout_ReturnsNull()
    {
        FailTimes(Client, 5);
        Assert.NotNull(_throttle.LockedFor(Client));

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.LockedFor(Client));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordFailure_FirstFailureAfterLockoutExpired_DoesNotLockAgain()
    {
        FailTimes(Client, 5);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.False(_throttle.RecordFailure(Client));

        Assert.Null(_throttle.LockedFor(Client));
    }

    [Fact]
    public void RecordSuccess_AfterFourFailures_ClearsTheCount()
    {
        FailTimes(Client, 4);

        _throttle.RecordSuccess(Client);

        for (var i = 0; i < 4; i++)
        {
            Assert.False(_throttle.RecordFailure(Client));
        }

        Assert.Null(_throttle.LockedFor(Client));
        Assert.True(_throttle.RecordFailure(Client));
    }

    [Fact]
    public void RecordFailure_DifferentClients_AreCountedSeparately()
    {
        FailTimes(Client, 4);
        FailTimes(OtherClient, 4);

        Assert.True(_throttle.RecordFailure(Client));

        Assert.NotNull(_throttle.LockedFor(Client));
        Assert.Null(_throttle.LockedFor(OtherClient));
        Assert.True(_throttle.RecordFailure(OtherClient));
    }

    [Fact]
    public void LockedFor_OneClientLockedOut_OtherClientMayTry()
    {
        FailTimes(Client, 5);

        Assert.Null(_throttle.LockedFor(OtherClient));
        _throttle.RecordSuccess(OtherClient);
        Assert.NotNull(_throttle.LockedFor(Client));
    }

    private void FailTimes(string client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _throttle.RecordFailure(client);
        }
    }
}
