using System.Globalization;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Scheduling;

/// <summary>A resource's answer to one VEVENT of a request: its PARTSTAT, and why when it declines.</summary>
public sealed record BookingDecision(ItipEvent Event, string Participation, string? Reason);

/// <summary>
/// The calendars of resources: a request is booked, or declined, in the same transaction that
/// reads what it would clash with. Every write to a calendar of this node is serialised (one
/// writer, in one SQLite transaction), and a resource's calendar is written only by its home
/// server, so two requests for the same slot, from whatever servers and however close in time,
/// are decided one after the other: the second sees the first and is declined.
/// </summary>
public sealed partial class CalendarBook
{
    /// <summary>How far ahead a series without end is checked for clashes.</summary>
    public static readonly TimeSpan BookingHorizon = TimeSpan.FromDays(2 * 366);

    internal const string Declined = "DECLINED";

    /// <summary>
    /// Books the meetings of a REQUEST delivered to <paramref name="resource"/>: each is accepted
    /// (or, under <see cref="BookingPolicy.ManagerApproval"/>, held tentative) when none of its
    /// occurrences overlaps time the resource has accepted for another meeting, else declined
    /// with the first clash as reason. A request older than what the calendar has changes nothing
    /// and gets no answer.
    /// </summary>
    public async Task<IReadOnlyList<BookingDecision>> BookAsync(string resource, ItipMessage message, BookingPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Method != ItipMethod.Request)
        {
            throw new ArgumentException("Only a REQUEST books a resource.", nameof(message));
        }

        bool IsResource(string address) => string.Equals(address, resource, StringComparison.OrdinalIgnoreCase);
        var decisions = new List<BookingDecision>();
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var meeting in message.Events.GroupBy(e => e.Uid, StringComparer.Ordinal))
            {
                var rows = await db.CalendarEntries.Where(c => c.Owner == resource && c.Uid == meeting.Key).ToListAsync(cancellationToken).ConfigureAwait(false);
                var touched = new List<(ItipEvent Event, CalendarEntry Entry)>();
                foreach (var item in meeting)
                {
                    if (item.Organizer is null || IsResource(item.Organizer))
                    {
                        continue;
                    }

                    var existing = Find(rows, item.Uid, item.RecurrenceKey);
                    if (existing is not null && IsOlder(item, existing))
                    {
                        continue;
                    }

                    var answered = existing is { Cancelled: false } && existing.Sequence == item.Sequence ? existing.Participation : null;
                    Request(db, rows, resource, IsResource, item, message, sentByOwner: false);
                    var entry = Find(rows, item.Uid, item.RecurrenceKey)!;
                    touched.Add((item, entry));
                    entry.Participation = answered;
                }

                if (touched.Count == 0)
                {
                    continue;
                }

                var clash = await FirstClashAsync(db, resource, rows, cancellationToken).ConfigureAwait(false);
                var participation = clash is not null ? Declined
                    : policy == BookingPolicy.AutoAccept ? Accepted
                    : touched.All(t => t.Entry.Participation == Accepted) ? Accepted
                    : NeedsAction;
                foreach (var (item, entry) in touched)
                {
                    entry.Participation = participation;
                    decisions.Add(new BookingDecision(item, participation, clash));
                }

                // Saved at once: the next meeting of the same message is checked against this one.
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(resource);
            _writes.Release();
        }

        return decisions;
    }

    /// <summary>
    /// Sets the resource's answer to one booked meeting (all its entries): an administrator
    /// approves a pending request, declines it, or cancels an accepted booking. Approving checks
    /// for clashes again, in the same transaction.
    /// </summary>
    /// <returns>The meeting's entries as they are now, for the answer to its organiser.</returns>
    /// <exception cref="MailAdminException"><c>booking-not-found</c>, <c>booking-clash</c>.</exception>
    public async Task<IReadOnlyList<CalendarEntry>> AnswerBookingAsync(string resource, string uid, bool accept, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentNullException.ThrowIfNull(uid);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var rows = await db.CalendarEntries.Where(c => c.Owner == resource && c.Uid == uid).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0 || rows.All(r => r.Cancelled))
            {
                throw MailAdminException.NotFound("booking-not-found", $"{resource} has no booking {uid}: it was cancelled by its organiser, or never made. Reload the bookings.");
            }

            if (accept)
            {
                foreach (var row in rows)
                {
                    row.Participation = Accepted;
                }

                if (await FirstClashAsync(db, resource, rows, cancellationToken).ConfigureAwait(false) is { } clash)
                {
                    throw MailAdminException.Conflict("booking-clash", $"This booking cannot be approved: {clash}. Decline it, or cancel the other booking first.");
                }
            }
            else
            {
                foreach (var row in rows)
                {
                    row.Participation = Declined;
                }
            }

            foreach (var row in rows)
            {
                row.UpdatedAt = clock.GetUtcNow();
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
        finally
        {
            Changed(resource);
            _writes.Release();
        }
    }

    /// <summary>
    /// Why <paramref name="meeting"/> (every entry of one UID, as it would be booked) cannot be
    /// booked: the first of its occurrences that overlaps time the resource accepted for another
    /// meeting, in words; null when there is none.
    /// </summary>
    private async Task<string?> FirstClashAsync(NodeDbContext db, string resource, List<CalendarEntry> meeting, CancellationToken cancellationToken)
    {
        var live = meeting.Where(e => !e.Cancelled).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var from = live.Min(e => e.StartsAt);
        var ends = live.Select(e => e.EndsAt).ToList();
        var until = ends.Any(e => e is null) ? from + BookingHorizon : ends.Max()!.Value;
        if (until - from > BookingHorizon)
        {
            until = from + BookingHorizon;
        }

        // Built directly: the horizon is longer than what a free/busy reader may ask for at once.
        var range = new FreeBusyRange(from, until > from ? until : from.AddMinutes(1));

        // The meeting's own occurrences, as if accepted (what it would hold).
        var answers = meeting.Select(e => e.Participation).ToList();
        foreach (var entry in meeting)
        {
            entry.Participation = Accepted;
        }

        List<BusyPeriod> wanted;
        try
        {
            wanted = Occurrences(meeting, range).ToList();
        }
        finally
        {
            for (var i = 0; i < meeting.Count; i++)
            {
                meeting[i].Participation = answers[i];
            }
        }

        if (wanted.Count == 0)
        {
            return null;
        }

        var uid = meeting[0].Uid;
        var others = db.CalendarEntries
            .Where(c => c.Owner == resource && c.Uid != uid && c.StartsAt < range.End && (c.EndsAt == null || c.EndsAt > range.Start))
            .Select(c => c.Uid);
        var rows = await db.CalendarEntries.AsNoTracking()
            .Where(c => c.Owner == resource && others.Contains(c.Uid))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var taken = new List<BusyPeriod>();
        foreach (var other in rows.GroupBy(r => r.Uid, StringComparer.Ordinal))
        {
            // Only what the resource accepted holds it; a request awaiting its manager does not.
            taken.AddRange(Occurrences(other.ToList(), range).Where(p => p.Kind == BusyKind.Busy));
        }

        taken.Sort((a, b) => a.Start.CompareTo(b.Start));
        foreach (var period in wanted.OrderBy(p => p.Start))
        {
            if (taken.FirstOrDefault(t => t.Start < period.End && period.Start < t.End) is { } held)
            {
                return $"it is already booked from {Describe(held.Start)} to {Describe(held.End)}";
            }
        }

        return null;
    }

    private static string Describe(DateTimeOffset at) =>
        at.UtcDateTime.ToString("ddd d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
