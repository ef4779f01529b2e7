using MailAdmin.Core.DirectoryServices;

namespace MailAdmin.Tests.Unit.DirectoryServices;

public sealed class PipelinedTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Read_YieldsEveryItemInTheProducersOrder()
    {
        var items = Pipelined.Read(_ => Enumerable.Range(1, 1000), capacity: 1, CancellationToken.None).ToList();

        Assert.Equal(Enumerable.Range(1, 1000), items);
    }

    [Fact]
    public void Read_RunsTheProducerOnAnotherThreadAtMostCapacityAhead()
    {
        var produced = 0;
        var consumerThread = Environment.CurrentManagedThreadId;
        var producerThread = consumerThread;
        IEnumerable<int> Produce(CancellationToken token)
        {
            producerThread = Environment.CurrentManagedThreadId;
            for (var i = 0; i < 10; i++)
            {
                Interlocked.Increment(ref produced);
                yield return i;
            }
        }

        using var items = Pipelined.Read(Produce, capacity: 2, CancellationToken.None).GetEnumerator();
        Assert.True(items.MoveNext());
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref produced) >= 3, Patience));
        Thread.Sleep(50);

        // One taken, two buffered, one produced and waiting for room: never the whole sequence.
        Assert.InRange(Volatile.Read(ref produced), 3, 4);
        Assert.NotEqual(consumerThread, producerThread);
    }

    [Fact]
    public void Read_ProducerFails_RethrowsTheSameExceptionAfterTheItemsBeforeIt()
    {
        var failure = new InvalidOperationException("page 3 failed");
        IEnumerable<int> Produce(CancellationToken token)
        {
            yield return 1;
            yield return 2;
            throw failure;
        }

        var seen = new List<int>();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var item in Pipelined.Read(Produce, capacity: 1, CancellationToken.None))
            {
                seen.Add(item);
            }
        });

        Assert.Same(failure, error);
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public void Read_CancelledWhileTheProducerWorks_ThrowsAndStopsTheProducer()
    {
        using var cancel = new CancellationTokenSource();
        var producerEnded = new ManualResetEventSlim();
        IEnumerable<int> Produce(CancellationToken token)
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    token.ThrowIfCancellationRequested();
                    Thread.Sleep(1);
                    yield return i;
                }
            }
            finally
            {
                producerEnded.Set();
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var item in Pipelined.Read(Produce, capacity: 1, cancel.Token))
            {
                if (item == 5)
                {
                    cancel.Cancel();
                }
            }
        });

        // The enumeration ends only once the producer has: nothing uses the connection after it.
        Assert.True(producerEnded.IsSet);
    }

    [Fact]
    public void Read_CancelledBeforeStart_Throws()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Pipelined.Read(_ => Enumerable.Range(1, 10), 1, cancel.Token).ToList());
    }

    [Fact]
    public void Read_ConsumerStopsEarly_StopsTheProducerBeforeReturning()
    {
        var producerEnded = new ManualResetEventSlim();
        var producedAfterStop = 0;
        IEnumerable<int> Produce(CancellationToken token)
        {
            try
            {
                for (var i = 0; i < 1_000_000; i++)
                {
                    token.ThrowIfCancellationRequested();
                    yield return i;
                }

                producedAfterStop = -1;
            }
            finally
            {
                producerEnded.Set();
            }
        }

        var first = Pipelined.Read(Produce, capacity: 1, CancellationToken.None).Take(3).ToList();

        Assert.Equal([0, 1, 2], first);
        Assert.True(producerEnded.IsSet);
        Assert.Equal(0, producedAfterStop);
    }

    [Fact]
    public void Read_ConsumerThrows_StopsTheProducerAndKeepsTheConsumersException()
    {
        var producerEnded = new ManualResetEventSlim();
        IEnumerable<int> Produce(CancellationToken token)
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    token.ThrowIfCancellationRequested();
                    yield return i;
                }
            }
            finally
            {
                producerEnded.Set();
            }
        }

        Assert.Throws<FormatException>(() =>
        {
            foreach (var item in Pipelined.Read(Produce, capacity: 1, CancellationToken.None))
            {
                if (item == 2)
                {
                    throw new FormatException("mapping failed");
                }
            }
        });

        Assert.True(producerEnded.IsSet);
    }
}
