using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Routing;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// Where mail meets the calendars: the delivery agent hands over every message it writes into
/// a mailbox homed here, and every message a user of this node submitted (authenticated), and
/// the iMIP part of those that carry one updates the owner's <see cref="CalendarBook"/>. It never
/// fails a delivery: a calendar it cannot read is logged and skipped, the mail goes through.
/// </summary>
public sealed partial class CalendarInbox(CalendarBook book, Resources.ResourceDesk desk, RecipientDirectory directory, NextHopRouter router, ILogger<CalendarInbox> logger)
{
    /// <summary>One message's calendar part, read at most once however many mailboxes it goes to.</summary>
    public CalendarScan Scan(string queueId, Func<Stream> open) => new(this, queueId, open);

    /// <summary>The message was written into <paramref name="mailbox"/>, homed here.</summary>
    public async Task DeliveredAsync(RecipientTarget.Mailbox mailbox, CalendarScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(scan);
        try
        {
            if (await scan.ReadAsync(cancellationToken).ConfigureAwait(false) is not { } itip)
            {
                return;
            }

            if (mailbox.Kind == MailboxKind.Resource)
            {
                // A room or equipment answers for itself: booked or declined, and the organiser told.
                await desk.ReceivedAsync(mailbox, itip, scan.QueueId, cancellationToken).ConfigureAwait(false);
                return;
            }

            await book.ApplyAsync(mailbox.Address, address => Owns(mailbox, address), itip, sentByOwner: false, cancellationToken).ConfigureAwait(false);
            LogApplied(logger, scan.QueueId, itip.Method, mailbox.Address, "received");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, scan.QueueId, mailbox.Address);
        }
    }

    /// <summary>A user submitted the message on this node's submission port, as <paramref name="sender"/>.</summary>
    public async Task SubmittedAsync(string sender, CalendarScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        if (MailPath.FromAddress(sender) is not { } path
            || directory.Find(path) is not RecipientTarget.Mailbox { Removed: false } mailbox
            || router.ForMailbox(mailbox).Kind != HopKind.Local)
        {
            // Only a mailbox homed here has its calendar here; users submit through their home server.
            return;
        }

        try
        {
            if (await scan.ReadAsync(cancellationToken).ConfigureAwait(false) is { } itip)
            {
                await book.ApplyAsync(mailbox.Address, address => Owns(mailbox, address), itip, sentByOwner: true, cancellationToken).ConfigureAwait(false);
                LogApplied(logger, scan.QueueId, itip.Method, mailbox.Address, "sent");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, scan.QueueId, mailbox.Address);
        }
    }

    private bool Owns(RecipientTarget.Mailbox mailbox, string address) =>
        string.Equals(address, mailbox.Address, StringComparison.OrdinalIgnoreCase)
        || (MailPath.FromAddress(address) is { } path && directory.Find(path) is RecipientTarget.Mailbox other && other.UserId == mailbox.UserId && other.Kind == mailbox.Kind);

    private async Task<ItipMessage?> ParseAsync(string queueId, Func<Stream> open, CancellationToken cancellationToken)
    {
        await using (var look = open())
        {
            if (!ItipReader.MayHoldCalendar(look))
            {
                return null;
            }
        }

        try
        {
            await using var stream = open();
            return await ItipReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (ItipFormatException e)
        {
            LogMalformed(logger, queueId, e.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 8111, Level = LogLevel.Information, Message = "{QueueId}: applied a {Method} {Direction} by {Owner} to their calendar.")]
    private static partial void LogApplied(ILogger logger, string queueId, ItipMethod method, string owner, string direction);

    [LoggerMessage(EventId = 8112, Level = LogLevel.Warning, Message = "{QueueId}: the calendar part cannot be read ({Reason}); the message is delivered, the calendar is left as it was.")]
    private static partial void LogMalformed(ILogger logger, string queueId, string reason);

    [LoggerMessage(EventId = 8113, Level = LogLevel.Error, Message = "{QueueId}: updating the calendar of {Owner} failed; the message is delivered, the calendar is left as it was.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string queueId, string owner);

    /// <summary>The calendar part of one message, parsed on first use.</summary>
    public sealed class CalendarScan
    {
        private readonly CalendarInbox _inbox;
        private readonly Func<Stream> _open;
        private Task<ItipMessage?>? _parsed;

        internal CalendarScan(CalendarInbox inbox, string queueId, Func<Stream> open)
        {
            _inbox = inbox;
            QueueId = queueId;
            _open = open;
        }

        public string QueueId { get; }

        internal Task<ItipMessage?> ReadAsync(CancellationToken cancellationToken) =>
            _parsed ??= _inbox.ParseAsync(QueueId, _open, cancellationToken);
    }
}
