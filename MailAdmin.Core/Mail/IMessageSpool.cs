namespace MailAdmin.Core.Mail;

/// <summary>
/// Where an SMTP session puts a message it is receiving. The session writes the message
/// (its own <c>Received:</c> header first, dot-stuffing removed, lines ending in CRLF) to
/// <see cref="ISpoolWriter.Content"/> while it arrives, then commits it; only after
/// <see cref="ISpoolWriter.CommitAsync"/> returns may it answer <c>250</c>.
/// </summary>
public interface IMessageSpool
{
    /// <summary>Starts a new message in the spool. Throws <see cref="MailStorageFullException"/> when the disk is full.</summary>
    ValueTask<ISpoolWriter> CreateAsync(CancellationToken cancellationToken);
}

/// <summary>One message being received. Disposing it without a commit discards it.</summary>
public interface ISpoolWriter : IAsyncDisposable
{
    /// <summary>The queue id the message will have; the session names it in its <c>250</c> reply.</summary>
    string QueueId { get; }

    /// <summary>The message content as it arrives.</summary>
    Stream Content { get; }

    /// <summary>
    /// Makes the message and its envelope durable (file and directory synced to disk) and
    /// queues it for delivery. Throws <see cref="MailStorageFullException"/> when the disk is
    /// full; any other exception means the message was not accepted either.
    /// </summary>
    ValueTask CommitAsync(Envelope envelope, CancellationToken cancellationToken);
}

/// <summary>The spool's disk is full: the session answers <c>452 4.3.1</c> and nothing is lost.</summary>
public sealed class MailStorageFullException : IOException
{
    public MailStorageFullException()
        : base("The mail spool's disk is full.")
    {
    }

    public MailStorageFullException(string message)
        : base(message)
    {
    }

    public MailStorageFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
