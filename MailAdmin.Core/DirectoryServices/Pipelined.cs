using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Runs a blocking producer (one LDAP page after another) on its own thread while the caller
/// consumes what it has produced so far, at most <c>capacity</c> items ahead. Reading the next
/// page from the directory then overlaps with converting the current one.
/// </summary>
/// <remarks>
/// The sequence behaves like the producer's own: items come in order, and an exception the
/// producer throws is rethrown (same type, same stack) to the consumer once the items produced
/// before it have been consumed. Cancelling the token stops both sides; a consumer that stops
/// early (break, an exception of its own) cancels the producer and waits for it to end, so the
/// producer never outlives the enumeration and may use a connection the caller disposes next.
/// </remarks>
internal static class Pipelined
{
    public static IEnumerable<T> Read<T>(Func<CancellationToken, IEnumerable<T>> produce, int capacity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(produce);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return ReadIterator(produce, capacity, cancellationToken);
    }

    private static IEnumerable<T> ReadIterator<T>(Func<CancellationToken, IEnumerable<T>> produce, int capacity, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var buffer = new BlockingCollection<T>(capacity);
        ExceptionDispatchInfo? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                foreach (var item in produce(stop.Token))
                {
                    buffer.Add(item, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The consumer stopped early: nobody wants the rest.
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                buffer.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "Directory reader",
        };
        producer.Start();
        try
        {
            foreach (var item in buffer.GetConsumingEnumerable(cancellationToken))
            {
                yield return item;
            }

            producer.Join();
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }
    }
}
