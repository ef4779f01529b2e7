namespace MailAdmin.Core.Mail.Queue;

/// <summary>Where one recipient of a queued message stands.</summary>
public enum RecipientState
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,

    /// <summary>Delivered (a local mailbox, or accepted by the next server).</summary>
    Delivered,

    /// <summary>Given up on: the sender has been (or will be) sent a bounce.</summary>
    Failed,

    /// <summary>An alias, list or group: replaced by the recipients it stands for.</summary>
    Expanded,
}

/// <summary>Why the queue holds a message: ordinary mail, or a notification it made itself.</summary>
public enum MessageKind
{
    Mail,

    /// <summary>A delivery status notification (RFC 3464) from the null sender; never bounced itself.</summary>
    Notification,
}

/// <param name="NextHop">Where a waiting recipient goes next (<see cref="Routing.NextHop.Key"/>), as of its last attempt; null before the first.</param>
public sealed record QueuedRecipient(
    int Index,
    string Address,
    string? Original,
    RecipientState State,
    int Attempts,
    DateTimeOffset NextAttempt,
    string? LastError,
    string? RemoteReply,
    string? NextHop = null)
{
    public bool IsFinal => State is not RecipientState.Pending;
}

public sealed record QueuedMessage(
    string Id,
    string? Sender,
    DateTimeOffset ReceivedAt,
    long Size,
    bool Held,
    bool DelayWarned,
    MessageKind Kind,
    IReadOnlyList<QueuedRecipient> Recipients,
    string? Origin = null)
{
    public bool IsNullSender => Sender is null;

    /// <summary>The user who submitted the message on this node's submission port (authenticated); null for any other origin.</summary>
    public string? SubmittedBy =>
        Origin?.Split(' ') is ["submission", _, var user, ..] && user.Contains('@', StringComparison.Ordinal) ? user : null;
}
