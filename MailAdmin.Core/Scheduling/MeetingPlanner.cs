using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Mail.Routing;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// One row of the planner: an attendee's busy time, or why it is unknown (<see cref="ErrorCode"/>
/// <c>home-server-unreachable</c> when their server does not answer: unknown is not free).
/// </summary>
/// <param name="HomeServer">The server that holds the mailbox, when the address is a mailbox of the domain.</param>
public sealed record AttendeeAvailability(string Address, string? HomeServer, IReadOnlyList<BusyPeriod> Busy, string? ErrorCode = null, string? Error = null)
{
    public bool Known => ErrorCode is null;
}

/// <summary>An invitation queued: who it went to, and whether the organiser's own calendar has it already.</summary>
public sealed record SentInvitation(string Uid, string QueueId, IReadOnlyList<string> Recipients, bool InOrganizerCalendar);

/// <summary>
/// The meeting planner (issue 8): the free/busy of many people at once, the first time they are
/// all free, and the invitation sent from the organiser's address. Free/busy is asked of every
/// attendee's home server at the same time, and one server down leaves that one row unknown
/// instead of failing the view. The invitation is an ordinary iMIP REQUEST queued on this node,
/// which the delivery agent routes to each attendee's home server, where it lands in their
/// calendar as tentative; the organiser's calendar, when homed here, takes it as a message they
/// submitted would be taken.
/// </summary>
public sealed class MeetingPlanner(
    FreeBusyService freeBusy,
    RecipientDirectory directory,
    NextHopRouter router,
    MailQueue queue,
    CalendarInbox inbox,
    AuditLog audit,
    TimeProvider clock)
{
    public const int MaxAttendees = 100;
    public const int MaxSummaryLength = 255;
    public const int MaxLocationLength = 255;
    public const int MaxDescriptionLength = 8000;

    /// <summary>The free/busy of every address over <paramref name="range"/>, in the order given, read as <paramref name="reader"/> may.</summary>
    /// <exception cref="MailAdminException"><c>too-many-attendees</c>.</exception>
    public async Task<IReadOnlyList<AttendeeAvailability>> ReadAsync(AdminPrincipal reader, IReadOnlyList<string> addresses, FreeBusyRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(range);
        if (addresses.Count > MaxAttendees)
        {
            throw MailAdminException.Invalid("too-many-attendees", $"The planner shows at most {MaxAttendees} people and resources at once.");
        }

        var who = new FreeBusyReader.Administrator(reader);
        return await Task.WhenAll(addresses.Select(address => ReadOneAsync(who, address, range, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// The first time everyone whose free/busy is known is free (<see cref="FreeSlotFinder"/>);
    /// attendees whose calendar is unknown do not block, the page says so beside the slot.
    /// </summary>
    public static DateTimeOffset? FirstFreeSlot(IEnumerable<AttendeeAvailability> attendees, TimeSpan duration, FreeBusyRange window, WorkingHours hours, bool tentativeIsBusy = true)
    {
        ArgumentNullException.ThrowIfNull(attendees);
        return FreeSlotFinder.FindFirst(attendees.Where(a => a.Known).SelectMany(a => a.Busy), duration, window, hours, tentativeIsBusy);
    }

    /// <summary>
    /// Sends the invitation from the organiser: an administrator who may manage the users of the
    /// organiser's domain sends it as that user (audit action <c>meeting.invite</c>).
    /// </summary>
    /// <exception cref="MailAdminException">
    /// <c>invalid-address</c>, <c>unknown-organizer</c>, <c>no-attendees</c>, <c>too-many-attendees</c>,
    /// <c>unknown-attendee</c>, <c>invalid-duration</c>, <c>meeting-in-past</c>, <c>invalid-summary</c>,
    /// <c>invalid-location</c>, <c>invalid-description</c>, <c>forbidden</c>.
    /// </exception>
    public Task<SentInvitation> SendAsync(Actor actor, MeetingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var target = $"{Shorten(request.Organizer, 80)}: {Shorten(request.Summary, 80)} at {request.Start.UtcDateTime:yyyy-MM-dd HH:mm}Z, {request.Attendees?.Count ?? 0} invited";
        return audit.RunAsync(actor, "meeting.invite", target, async () =>
        {
            var organizer = Organizer(actor.Principal, request.Organizer);
            var checkedRequest = Validate(request, organizer);
            var uid = $"{Guid.NewGuid():N}@{organizer.Domain}";
            var message = MeetingInvitation.Build(checkedRequest, uid, clock.GetUtcNow());
            byte[] bytes;
            using (var buffer = new MemoryStream())
            {
                await message.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
                bytes = buffer.ToArray();
            }

            var recipients = checkedRequest.Attendees.Select(a => a.Address).ToList();
            var queueId = await queue.EnqueueAsync(organizer.Address, recipients, MessageKind.Mail, content => content.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);

            // The organiser sent it: their calendar has the meeting now, as for one they send from their mail client.
            var homedHere = router.ForMailbox(organizer).Kind == HopKind.Local;
            await inbox.SubmittedAsync(organizer.Address, inbox.Scan(queueId, () => new MemoryStream(bytes, writable: false)), cancellationToken).ConfigureAwait(false);
            return new SentInvitation(uid, queueId, recipients, homedHere);
        }, cancellationToken);
    }

    private async Task<AttendeeAvailability> ReadOneAsync(FreeBusyReader reader, string address, FreeBusyRange range, CancellationToken cancellationToken)
    {
        var home = MailPath.FromAddress(address ?? string.Empty) is { } path && directory.Find(path) is RecipientTarget.Mailbox mailbox ? mailbox.HomeServer : null;
        try
        {
            var answer = await freeBusy.ReadAsync(reader, address ?? string.Empty, range, cancellationToken).ConfigureAwait(false);
            return new AttendeeAvailability(answer.Address, answer.HomeServer, answer.Busy);
        }
        catch (MailAdminException e)
        {
            return new AttendeeAvailability(address ?? string.Empty, home, [], e.Code, e.Message);
        }
    }

    private RecipientTarget.Mailbox Organizer(AdminPrincipal principal, string? address)
    {
        var parsed = Parse(address, "organizer");
        AccessPolicy.Demand(principal, Permission.ManageUsers, parsed.Domain);
        return directory.Find(new MailPath(parsed.LocalPart, parsed.Domain)) is RecipientTarget.Mailbox { Removed: false, Enabled: true, Kind: MailboxKind.User } mailbox
            ? mailbox
            : throw MailAdminException.NotFound("unknown-organizer", $"{parsed} is not a user of {parsed.Domain} with a mailbox: invitations come from a user's address, pick one from the address list.");
    }

    private MeetingRequest Validate(MeetingRequest request, RecipientTarget.Mailbox organizer)
    {
        if (request.Attendees is null || request.Attendees.Count == 0)
        {
            throw MailAdminException.Invalid("no-attendees", "Invite at least one person or resource.");
        }

        if (request.Attendees.Count > MaxAttendees)
        {
            throw MailAdminException.Invalid("too-many-attendees", $"Invite at most {MaxAttendees} people and resources; use a mailing list for more.");
        }

        var attendees = new List<MeetingAttendee>();
        foreach (var attendee in request.Attendees)
        {
            var parsed = Parse(attendee?.Address, "attendee");
            if (directory.Find(new MailPath(parsed.LocalPart, parsed.Domain)) is not RecipientTarget.Mailbox { Removed: false } mailbox
                || !string.Equals(mailbox.Domain, organizer.Domain, StringComparison.Ordinal))
            {
                throw MailAdminException.NotFound("unknown-attendee", $"{parsed} is not a user or resource of {organizer.Domain}: pick attendees from the Global Address List.");
            }

            // The organiser is not invited to their own meeting, and nobody twice. A resource is
            // invited as one whatever the caller said: its home server books it from the request.
            if (!string.Equals(mailbox.Address, organizer.Address, StringComparison.Ordinal) && attendees.TrueForAll(a => !string.Equals(a.Address, mailbox.Address, StringComparison.Ordinal)))
            {
                var kind = mailbox.Kind == MailboxKind.Resource ? (attendee!.Kind == AttendeeKind.Person ? AttendeeKind.Room : attendee.Kind) : AttendeeKind.Person;
                attendees.Add(attendee! with { Address = mailbox.Address, Name = OneLine(attendee.Name), Kind = kind });
            }
        }

        if (attendees.Count == 0)
        {
            throw MailAdminException.Invalid("no-attendees", "The organiser alone is no meeting: invite at least one other person or resource.");
        }

        FreeSlotFinder.CheckDuration(request.Duration);
        if (request.End <= clock.GetUtcNow())
        {
            throw MailAdminException.Invalid("meeting-in-past", "The meeting would be over already: choose a time to come.");
        }

        var summary = request.Summary?.Trim() ?? string.Empty;
        if (summary.Length == 0 || summary.Length > MaxSummaryLength || HasControl(summary))
        {
            throw MailAdminException.Invalid("invalid-summary", $"Give the meeting a subject of one line, at most {MaxSummaryLength} characters.");
        }

        var location = string.IsNullOrWhiteSpace(request.Location) ? null : request.Location.Trim();
        if (location is not null && (location.Length > MaxLocationLength || HasControl(location)))
        {
            throw MailAdminException.Invalid("invalid-location", $"The location is one line of at most {MaxLocationLength} characters.");
        }

        var description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim().ReplaceLineEndings("\n");
        if (description is not null && (description.Length > MaxDescriptionLength || description.Any(c => char.IsControl(c) && c is not '\n' and not '\t')))
        {
            throw MailAdminException.Invalid("invalid-description", $"The description is text of at most {MaxDescriptionLength:N0} characters.");
        }

        return request with
        {
            Organizer = organizer.Address,
            OrganizerName = OneLine(request.OrganizerName),
            Attendees = attendees,
            Start = request.Start.ToUniversalTime(),
            Summary = summary,
            Location = location,
            Description = description,
        };
    }

    private static ParsedAddress Parse(string? address, string role) =>
        MailAddresses.TryParse(address, out var parsed) && !HasControl(address!)
            ? parsed
            : throw MailAdminException.Invalid("invalid-address", $"The {role} '{Shorten(address ?? string.Empty, 80)}' is not an e-mail address.");

    /// <summary>CR, LF and other control characters would end a header or an iCalendar line early.</summary>
    private static bool HasControl(string value) => value.Any(char.IsControl);

    /// <summary>A display name from the address list, never one that could break a header.</summary>
    private static string? OneLine(string? name) =>
        string.IsNullOrWhiteSpace(name) || HasControl(name) ? null : name.Trim();

    private static string Shorten(string? value, int length) =>
        value is null ? string.Empty : value.Length <= length ? value : value[..length] + "…";
}
