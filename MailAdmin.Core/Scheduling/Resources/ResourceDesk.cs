using MailAdmin.Core.Distribution;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailAdmin.Core.Scheduling.Resources;

/// <summary>
/// A resource's home server answering the meeting requests delivered to it: each is booked or
/// declined by <see cref="CalendarBook.BookAsync"/> in one transaction, and the organiser gets
/// the answer as an iMIP REPLY from the resource's address. Under manager approval the request
/// is held tentative and the manager is told by mail. A cancellation frees the time and needs no
/// answer (RFC 5546 §3.2.5).
/// </summary>
public sealed partial class ResourceDesk(
    IDbContextFactory<NodeDbContext> databases,
    CalendarBook book,
    RecipientDirectory directory,
    MailQueue queue,
    LocalEndpoints endpoints,
    TimeProvider clock,
    ILogger<ResourceDesk> logger)
{
    /// <summary>The message holding <paramref name="itip"/> was written into the mailbox of the resource <paramref name="mailbox"/>, homed here.</summary>
    public async Task ReceivedAsync(RecipientTarget.Mailbox mailbox, ItipMessage itip, string queueId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(itip);
        var resource = await FindAsync(mailbox.UserId, cancellationToken).ConfigureAwait(false);
        if (resource is null)
        {
            return;
        }

        var card = CardOf(resource, mailbox.Address);
        switch (itip.Method)
        {
            case ItipMethod.Request:
                // Rooms are booked by the organisation's own people: a request organised from
                // outside is kept in the mailbox but books nothing, and gets no answer (no backscatter).
                var inside = itip.Events.Where(e => e.Organizer is { } organizer && MailPath.FromAddress(organizer) is { } path && directory.IsLocalDomain(path.Domain)).ToList();
                if (inside.Count < itip.Events.Count)
                {
                    LogOutsider(logger, queueId, card.Address, itip.Events.First(e => !inside.Contains(e)).Organizer ?? "(no organiser)");
                }

                if (inside.Count == 0)
                {
                    break;
                }

                var decisions = await book.BookAsync(card.Address, itip with { Events = inside }, resource.Policy, cancellationToken).ConfigureAwait(false);
                foreach (var meeting in decisions.GroupBy(d => (d.Event.Uid, d.Event.Organizer)))
                {
                    var answered = meeting.ToList();
                    var organizer = meeting.Key.Organizer!;
                    var participation = answered[0].Participation;
                    // Awaiting approval is TENTATIVE to the organiser (RFC 5546 has no "pending" answer).
                    var answer = participation == "NEEDS-ACTION" ? "TENTATIVE" : participation;
                    var reply = ResourceMail.Reply(card, organizer, [.. answered.Select(d => d.Event.Component)], answer, answered[0].Reason, clock.GetUtcNow());
                    await SendAsync(card.Address, organizer, reply, cancellationToken).ConfigureAwait(false);
                    LogAnswered(logger, queueId, card.Address, participation, meeting.Key.Uid, organizer, answered[0].Reason ?? "free");
                    if (participation == "NEEDS-ACTION" && resource.Manager is { Length: > 0 } manager)
                    {
                        var notice = ResourceMail.ApprovalRequest(card, manager, organizer, answered, endpoints.ConsoleUrl, clock.GetUtcNow());
                        await SendAsync(card.Address, manager, notice, cancellationToken).ConfigureAwait(false);
                    }
                }

                break;
            case ItipMethod.Cancel:
                await book.ApplyAsync(card.Address, a => string.Equals(a, card.Address, StringComparison.OrdinalIgnoreCase), itip, sentByOwner: false, cancellationToken).ConfigureAwait(false);
                var uids = string.Join(", ", itip.Events.Select(e => e.Uid).Distinct(StringComparer.Ordinal));
                LogFreed(logger, queueId, card.Address, uids);
                break;
            default:
                // A reply to a resource answers nothing it asked.
                break;
        }
    }

    /// <summary>Tells the organiser of a booking the resource's new answer (an administrator approved, declined or cancelled it).</summary>
    internal async Task TellOrganizerAsync(BookableResource resource, string address, IReadOnlyList<CalendarEntry> meeting, string participation, string? reason, CancellationToken cancellationToken)
    {
        var components = meeting.Where(e => e.Component is not null && !e.Cancelled).Select(e => e.Component!).ToList();
        var organizer = components.Select(OrganizerOf).FirstOrDefault(o => o is not null);
        if (organizer is null || components.Count == 0)
        {
            return;
        }

        var reply = ResourceMail.Reply(CardOf(resource, address), organizer, components, participation, reason, clock.GetUtcNow());
        await SendAsync(address, organizer, reply, cancellationToken).ConfigureAwait(false);
    }

    internal static ResourceCard CardOf(BookableResource resource, string address) => new(address, resource.Name, resource.Type, resource.Location);

    private static string? OrganizerOf(string component)
    {
        try
        {
            return ItipReader.AddressOf(Ical.Net.Calendar.Load(component)?.Events.FirstOrDefault()?.Organizer?.Value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private async Task<BookableResource?> FindAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Resources.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.HomeServer == null, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(string sender, string recipient, MimeMessage message, CancellationToken cancellationToken)
    {
        await queue.EnqueueAsync(sender, [recipient], MessageKind.Mail, stream => message.WriteToAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 8121, Level = LogLevel.Information, Message = "{QueueId}: {Resource} answered {Participation} to meeting {Uid} of {Organizer} ({Reason}).")]
    private static partial void LogAnswered(ILogger logger, string queueId, string resource, string participation, string uid, string organizer, string reason);

    [LoggerMessage(EventId = 8123, Level = LogLevel.Warning, Message = "{QueueId}: {Resource} ignored a request organised by {Organizer}, who is not of this organisation's domains.")]
    private static partial void LogOutsider(ILogger logger, string queueId, string resource, string organizer);

    [LoggerMessage(EventId = 8122, Level = LogLevel.Information, Message = "{QueueId}: {Resource} freed the time of meeting {Uids}, cancelled by its organiser.")]
    private static partial void LogFreed(ILogger logger, string queueId, string resource, string uids);
}
