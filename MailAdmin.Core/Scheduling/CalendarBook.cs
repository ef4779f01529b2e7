using System.Collections.Concurrent;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using IcalCalendar = Ical.Net.Calendar;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// The calendars of the mailboxes homed on this node, kept from the invitations that pass
/// through it (iMIP, RFC 6047), and the busy time they give.
/// <para>How an iTIP message changes the owner's calendar (RFC 5546):</para>
/// <list type="bullet">
/// <item>REQUEST, received or sent: adds the meeting, or replaces it when its SEQUENCE is higher,
/// or equal with a later DTSTAMP (an older one arriving late changes nothing). The owner's
/// participation is their PARTSTAT in it: NEEDS-ACTION (tentative) for an invitation, the
/// organiser's own, else ACCEPTED, for a meeting they organise. A re-sent request of the same
/// sequence keeps the owner's answer; a higher sequence asks again. A series replaced by a newer
/// one loses the older exceptions that the new message does not repeat.</item>
/// <item>REPLY sent by the owner: sets their participation (ACCEPTED: busy, TENTATIVE or
/// NEEDS-ACTION: tentative, DECLINED: free) for the series, or for the one occurrence named by
/// RECURRENCE-ID. A reply received (the owner organises) does not change the owner's time.</item>
/// <item>CANCEL, received or sent: frees the meeting, or the one occurrence. The entry stays as a
/// tombstone, so that an older request arriving late does not bring it back.</item>
/// </list>
/// Occurrences are expanded again, with Ical.Net, for every range asked: RRULE, RDATE, EXDATE and
/// RECURRENCE-ID overrides; TRANSP:TRANSPARENT and STATUS:CANCELLED events are free.
/// </summary>
public sealed partial class CalendarBook(IDbContextFactory<NodeDbContext> databases, TimeProvider clock, ILogger<CalendarBook> logger) : IDisposable
{
    /// <summary>Occurrences of one meeting looked at for one answer, at most; a rule beyond it is cut there (and logged).</summary>
    public const int MaxOccurrences = 5000;

    private const string NeedsAction = "NEEDS-ACTION";
    private const string Accepted = "ACCEPTED";

    /// <summary>Answers kept at most, across owners and ranges; beyond it the cache starts again empty.</summary>
    private const int MaxCachedAnswers = 10_000;

    // Calendar writes are rare (a few per invitation) and must not race on the unique key.
    private readonly SemaphoreSlim _writes = new(1, 1);

    // Expanding occurrences costs far more than reading them: a planner asks the same people for
    // the same range (the default one changes once an hour) again and again. An answer is kept
    // with the owner's version when it was read, and a write raises the version after its commit,
    // so an answer computed from older data is never served again.
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Owner, DateTimeOffset Start, DateTimeOffset End), (long Version, IReadOnlyList<BusyPeriod> Busy)> _answers = new();

    /// <summary>Applies an iTIP message to the calendar of <paramref name="owner"/>.</summary>
    /// <param name="owner">The mailbox's primary address, lower case.</param>
    /// <param name="isOwner">Whether an address (lower case) is one of the owner's (primary or alias).</param>
    /// <param name="sentByOwner">The owner submitted the message (authenticated on this node); else it was delivered to them.</param>
    public async Task ApplyAsync(string owner, Func<string, bool> isOwner, ItipMessage message, bool sentByOwner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(isOwner);
        ArgumentNullException.ThrowIfNull(message);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var uids = message.Events.Select(e => e.Uid).Distinct(StringComparer.Ordinal).ToList();
            var rows = await db.CalendarEntries.Where(c => c.Owner == owner && uids.Contains(c.Uid)).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var item in message.Events)
            {
                switch (message.Method)
                {
                    case ItipMethod.Request:
                        Request(db, rows, owner, isOwner, item, message, sentByOwner);
                        break;
                    case ItipMethod.Cancel:
                        Cancel(db, rows, owner, isOwner, item);
                        break;
                    case ItipMethod.Reply when sentByOwner:
                        Reply(db, rows, owner, isOwner, item);
                        break;
                    default:
                        break;
                }
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(owner);
            _writes.Release();
        }
    }

    /// <summary>The owner's busy time in <paramref name="range"/>, merged (<see cref="BusyPeriods.Merge"/>).</summary>
    public async Task<IReadOnlyList<BusyPeriod>> BusyAsync(string owner, FreeBusyRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var version = _versions.GetValueOrDefault(owner);
        var key = (owner, range.Start, range.End);
        if (_answers.TryGetValue(key, out var kept) && kept.Version == version)
        {
            return kept.Busy;
        }

        var busy = await ReadBusyAsync(owner, range, cancellationToken).ConfigureAwait(false);
        if (_answers.Count >= MaxCachedAnswers)
        {
            _answers.Clear();
        }

        _answers[key] = (version, busy);
        return busy;
    }

    private async Task<IReadOnlyList<BusyPeriod>> ReadBusyAsync(string owner, FreeBusyRange range, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);

        // Every entry of a meeting that may touch the range: an occurrence moved out of it still
        // hides the series' original one, and one moved into it needs its series.
        var uids = db.CalendarEntries
            .Where(c => c.Owner == owner && c.StartsAt < range.End && (c.EndsAt == null || c.EndsAt > range.Start))
            .Select(c => c.Uid);
        var rows = await db.CalendarEntries.AsNoTracking()
            .Where(c => c.Owner == owner && uids.Contains(c.Uid))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var periods = new List<BusyPeriod>();
        foreach (var meeting in rows.GroupBy(r => r.Uid, StringComparer.Ordinal))
        {
            try
            {
                periods.AddRange(Occurrences(meeting.ToList(), range));
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                LogUnreadable(logger, e, meeting.Key, owner);
            }
        }

        return BusyPeriods.Merge(periods, range);
    }

    /// <summary>Every entry of the owner's calendar, for a mailbox that moves to another server.</summary>
    public async Task<IReadOnlyList<CalendarEntry>> ExportAsync(string owner, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.CalendarEntries.AsNoTracking().Where(c => c.Owner == owner).OrderBy(c => c.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the owner's calendar with <paramref name="entries"/> (a mailbox moving here).</summary>
    public async Task ReplaceAsync(string owner, IReadOnlyList<CalendarEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await db.CalendarEntries.Where(c => c.Owner == owner).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                entry.Id = 0;
                entry.Owner = owner;
                db.CalendarEntries.Add(entry);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(owner);
            _writes.Release();
        }
    }

    /// <summary>Removes the owner's calendar (their mailbox moved away).</summary>
    public async Task RemoveAsync(string owner, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await db.CalendarEntries.Where(c => c.Owner == owner).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(owner);
        }
    }

    public void Dispose() => _writes.Dispose();

    /// <summary>After a write (committed or not): answers read before it are not served again.</summary>
    private void Changed(string owner) => _versions.AddOrUpdate(owner, 1, (_, version) => version + 1);

    private void Request(NodeDbContext db, List<CalendarEntry> rows, string owner, Func<string, bool> isOwner, ItipEvent item, ItipMessage message, bool sentByOwner)
    {
        var organises = item.Organizer is { } organizer && isOwner(organizer);
        if (sentByOwner && !organises)
        {
            // A forwarded invitation: the owner's calendar changes when they answer it.
            return;
        }

        var existing = Find(rows, item.Uid, item.RecurrenceKey);
        if (existing is not null && IsOlder(item, existing))
        {
            return;
        }

        var own = item.Attendees.FirstOrDefault(a => isOwner(a.Key)).Value;
        string participation = organises
            ? (own is { } stated && stated != NeedsAction ? stated : Accepted)
            : existing is { Cancelled: false, Participation: { } answered } && existing.Sequence == item.Sequence
                ? answered
                : own ?? NeedsAction;
        var entry = existing ?? Add(db, rows, owner, item.Uid, item.RecurrenceKey);
        var olderSeries = item.RecurrenceKey.Length == 0 && existing is not null && existing.Sequence < item.Sequence;
        entry.Sequence = item.Sequence;
        entry.Stamp = item.Stamp;
        entry.Role = organises ? CalendarRole.Organizer : CalendarRole.Attendee;
        entry.Participation = participation;
        entry.Cancelled = item.Cancelled;
        entry.StartsAt = item.StartsAt!.Value;
        entry.EndsAt = item.EndsAt;
        entry.Component = item.Component;
        entry.UpdatedAt = clock.GetUtcNow();

        if (olderSeries)
        {
            var repeated = message.Events.Where(e => e.Uid == item.Uid).Select(e => e.RecurrenceKey).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in rows.Where(r => r.Uid == item.Uid && r.RecurrenceKey.Length > 0 && r.Sequence < item.Sequence && !repeated.Contains(r.RecurrenceKey)).ToList())
            {
                db.CalendarEntries.Remove(stale);
                rows.Remove(stale);
            }
        }
    }

    private void Cancel(NodeDbContext db, List<CalendarEntry> rows, string owner, Func<string, bool> isOwner, ItipEvent item)
    {
        var existing = Find(rows, item.Uid, item.RecurrenceKey);
        if (existing is not null && item.Sequence < existing.Sequence)
        {
            return;
        }

        var entry = existing ?? Add(db, rows, owner, item.Uid, item.RecurrenceKey);
        if (existing is null)
        {
            var at = item.StartsAt ?? KeyInstant(item.RecurrenceKey) ?? clock.GetUtcNow();
            entry.StartsAt = at;
            entry.EndsAt = item.EndsAt ?? at.AddDays(1);
            entry.Role = item.Organizer is { } organizer && isOwner(organizer) ? CalendarRole.Organizer : CalendarRole.Attendee;
        }

        entry.Sequence = item.Sequence;
        entry.Stamp = item.Stamp;
        entry.Cancelled = true;
        entry.UpdatedAt = clock.GetUtcNow();
    }

    private void Reply(NodeDbContext db, List<CalendarEntry> rows, string owner, Func<string, bool> isOwner, ItipEvent item)
    {
        var answer = item.Attendees.FirstOrDefault(a => isOwner(a.Key)).Value
            ?? (item.Attendees.Count == 1 ? item.Attendees.First().Value : null);
        if (answer is null)
        {
            return;
        }

        var existing = Find(rows, item.Uid, item.RecurrenceKey);
        if (existing is not null && item.Sequence < existing.Sequence)
        {
            // An answer to an older version of the meeting.
            return;
        }

        if (item.RecurrenceKey.Length == 0)
        {
            if (existing is null)
            {
                if (item.StartsAt is not { } starts)
                {
                    return;
                }

                // The invitation has not passed through this node (it came before the mailbox did, or is
                // still on its way): the reply's own copy of the meeting stands in, stamped older than any
                // request of its sequence, so the organiser's request replaces it when it comes.
                existing = Add(db, rows, owner, item.Uid, string.Empty);
                existing.Sequence = item.Sequence;
                existing.Stamp = DateTimeOffset.UnixEpoch;
                existing.Role = CalendarRole.Attendee;
                existing.StartsAt = starts;
                existing.EndsAt = item.EndsAt;
                existing.Component = item.Component;
            }

            // Answering the series answers its exceptions of the same version too.
            foreach (var row in rows.Where(r => r.Uid == item.Uid && r.RecurrenceKey.Length > 0 && r.Sequence <= item.Sequence))
            {
                row.Participation = answer;
                row.UpdatedAt = clock.GetUtcNow();
            }
        }
        else if (existing is null)
        {
            var at = KeyInstant(item.RecurrenceKey) ?? item.StartsAt ?? clock.GetUtcNow();
            existing = Add(db, rows, owner, item.Uid, item.RecurrenceKey);
            existing.Sequence = item.Sequence;
            existing.Stamp = DateTimeOffset.UnixEpoch;
            existing.Role = CalendarRole.Attendee;
            existing.StartsAt = at;
            existing.EndsAt = at.AddDays(1);
        }

        existing.Participation = answer;
        existing.UpdatedAt = clock.GetUtcNow();
    }

    private static bool IsOlder(ItipEvent item, CalendarEntry existing) =>
        item.Sequence < existing.Sequence || (item.Sequence == existing.Sequence && item.Stamp < existing.Stamp);

    private static CalendarEntry? Find(List<CalendarEntry> rows, string uid, string key) =>
        rows.FirstOrDefault(r => r.Uid == uid && r.RecurrenceKey == key);

    private static CalendarEntry Add(NodeDbContext db, List<CalendarEntry> rows, string owner, string uid, string key)
    {
        var entry = new CalendarEntry { Owner = owner, Uid = uid, RecurrenceKey = key };
        db.CalendarEntries.Add(entry);
        rows.Add(entry);
        return entry;
    }

    private static DateTimeOffset? KeyInstant(string key) =>
        DateTimeOffset.TryParseExact(key, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>The busy periods of one meeting (all entries of one UID) in the range, not merged.</summary>
    private IEnumerable<BusyPeriod> Occurrences(List<CalendarEntry> entries, FreeBusyRange range)
    {
        var series = entries.FirstOrDefault(e => e.RecurrenceKey.Length == 0);
        if (series is { Cancelled: true })
        {
            yield break;
        }

        var instances = entries.Where(e => e.RecurrenceKey.Length > 0).ToDictionary(e => e.RecurrenceKey, StringComparer.Ordinal);
        var calendar = new IcalCalendar();
        var sources = new Dictionary<CalendarEvent, CalendarEntry>(ReferenceEqualityComparer.Instance);
        var longest = TimeSpan.Zero;
        foreach (var entry in entries.Where(e => e.Component is not null && !(e.RecurrenceKey.Length > 0 && e.Cancelled)))
        {
            var loaded = IcalCalendar.Load(entry.Component!) ?? throw new ItipFormatException("A stored event is empty.");
            foreach (var zone in loaded.TimeZones.ToList())
            {
                if (!calendar.TimeZones.Any(z => string.Equals(z.TzId, zone.TzId, StringComparison.Ordinal)))
                {
                    calendar.TimeZones.Add(zone);
                }
            }

            foreach (var vevent in loaded.Events.ToList())
            {
                calendar.Events.Add(vevent);
                sources[vevent] = entry;
                if (vevent.DtStart is { } start)
                {
                    var length = ItipReader.LengthOf(vevent, start);
                    longest = length > longest ? length : longest;
                }
            }
        }

        if (sources.Count == 0)
        {
            yield break;
        }

        var from = new CalDateTime((range.Start - longest - TimeSpan.FromMinutes(1)).UtcDateTime, CalDateTime.UtcTzId, true);
        var seen = 0;
        foreach (var occurrence in calendar.GetOccurrences(from, new EvaluationOptions { MaxUnmatchedIncrementsLimit = 10_000 }))
        {
            if (++seen > MaxOccurrences)
            {
                LogTooManyOccurrences(logger, entries[0].Uid, entries[0].Owner, MaxOccurrences);
                yield break;
            }

            var start = new DateTimeOffset(occurrence.Period.StartTime.AsUtc, TimeSpan.Zero);
            if (start >= range.End)
            {
                yield break;
            }

            if (occurrence.Source is not CalendarEvent vevent || !sources.TryGetValue(vevent, out var entry))
            {
                continue;
            }

            var end = occurrence.Period.EffectiveEndTime is { } effective
                ? new DateTimeOffset(effective.AsUtc, TimeSpan.Zero)
                : start + ItipReader.LengthOf(vevent, occurrence.Period.StartTime);
            if (end <= range.Start || end <= start)
            {
                continue;
            }

            var key = entry.RecurrenceKey.Length > 0 ? entry.RecurrenceKey : CalendarEntries.RecurrenceKeyOf(occurrence.Period.StartTime);
            var instance = instances.GetValueOrDefault(key);
            if (entry.Cancelled || instance is { Cancelled: true }
                || string.Equals(vevent.Transparency, "TRANSPARENT", StringComparison.OrdinalIgnoreCase)
                || string.Equals(vevent.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var participation = instance?.Participation ?? entry.Participation ?? series?.Participation;
            var role = series?.Role ?? entry.Role;
            BusyKind? kind = participation?.ToUpperInvariant() switch
            {
                "DECLINED" or "DELEGATED" => null,
                Accepted => string.Equals(vevent.Status, "TENTATIVE", StringComparison.OrdinalIgnoreCase) ? BusyKind.Tentative : BusyKind.Busy,
                null when role == CalendarRole.Organizer => BusyKind.Busy,
                _ => BusyKind.Tentative,
            };
            if (kind is { } busy)
            {
                yield return new BusyPeriod(start, end, busy);
            }
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Meeting {Uid} in the calendar of {Owner} cannot be expanded; it is left out of free/busy.")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string uid, string owner);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Meeting {Uid} in the calendar of {Owner} has more than {Max} occurrences in the range asked; free/busy shows the first {Max}.")]
    private static partial void LogTooManyOccurrences(ILogger logger, string uid, string owner, int max);
}
