using MailAdmin.Core.Mail.Storage;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class DirectorySyncGroupTests
{
    [Fact]
    public async Task ACallerArrivingDuringASync_WaitsForTheNextSync_WhichServesEveryoneWaiting()
    {
        var syncs = 0;
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var group = new DirectorySyncGroup(_ =>
        {
            if (Interlocked.Increment(ref syncs) == 1)
            {
                firstStarted.Set();
                releaseFirst.Wait();
            }
        });

        var first = Task.Run(() => group.SyncAsync("/mail/new"));
        firstStarted.Wait();
        var second = group.SyncAsync("/mail/new");
        var third = group.SyncAsync("/mail/new");
        Assert.False(second.IsCompleted);

        releaseFirst.Set();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10));

        // One sync for the first caller, one more shared by the two that came while it ran.
        Assert.Equal(2, syncs);
    }

    [Fact]
    public async Task AFailedSync_FailsItsCallers_AndTheNextCallSyncsAgain()
    {
        var fail = true;
        var group = new DirectorySyncGroup(path =>
        {
            if (fail)
            {
                throw new IOException($"cannot sync {path}");
            }
        });

        await Assert.ThrowsAsync<IOException>(() => group.SyncAsync("/mail/new"));
        fail = false;
        await group.SyncAsync("/mail/new");
    }
}
