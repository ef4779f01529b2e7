using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// When people work: from <see cref="Start"/> to <see cref="End"/> local time in <see cref="Zone"/>,
/// on weekdays only unless <see cref="WeekdaysOnly"/> is false.
/// </summary>
public sealed record WorkingHours(TimeOnly Start, TimeOnly End, TimeZoneInfo Zone, bool WeekdaysOnly = true)
{
    /// <summary>08:00–18:00, Monday to Friday, in <paramref name="zone"/>.</summary>
    public static WorkingHours Office(TimeZoneInfo zone) => new(new TimeOnly(8, 0), new TimeOnly(18, 0), zone);
}

/// <summary>
/// The first time everyone is free. The search walks the working days of the window in the
/// working hours' time zone (so a day is cut where its people's day ends, summer time
/// included); in each day's working interval, cut to the window, the busy periods of all
/// attendees together leave gaps, and the first gap that holds the meeting from a start on the
/// step (quarter hours by default, counted from midnight UTC, which every time zone's hours
/// fall on) is the answer. A meeting never runs past the end of a working day; a gap at the
/// end of one day and one at the start of the next are two gaps, not one.
/// </summary>
public static class FreeSlotFinder
{
    /// <summary>Starts proposed fall on quarter hours.</summary>
    public static readonly TimeSpan DefaultStep = TimeSpan.FromMinutes(15);

    /// <summary>The longest meeting the planner books.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    /// <summary>
    /// The earliest start in <paramref name="window"/> at which nobody in <paramref name="busy"/>
    /// is busy for <paramref name="duration"/>, inside working hours; null when there is none.
    /// </summary>
    /// <param name="busy">Everyone's busy periods together, in any order, overlapping or not.</param>
    /// <param name="tentativeIsBusy">Whether an unanswered invitation blocks the time (it does by default: the person may accept).</param>
    /// <param name="step">What a proposed start is a multiple of; <see cref="DefaultStep"/> when null.</param>
    /// <exception cref="MailAdminException"><c>invalid-duration</c>, <c>invalid-working-hours</c>.</exception>
    public static DateTimeOffset? FindFirst(
        IEnumerable<BusyPeriod> busy,
        TimeSpan duration,
        FreeBusyRange window,
        WorkingHours hours,
        bool tentativeIsBusy = true,
        TimeSpan? step = null)
    {
        ArgumentNullException.ThrowIfNull(busy);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(hours);
        CheckDuration(duration);
        if (hours.End <= hours.Start)
        {
            throw MailAdminException.Invalid("invalid-working-hours", $"Working hours must end after they start ({hours.Start:HH:mm}–{hours.End:HH:mm}).");
        }

        var grid = step ?? DefaultStep;
        if (grid <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be positive.");
        }

        var blocking = Union(busy.Where(p => tentativeIsBusy || p.Kind == BusyKind.Busy));
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(window.Start, hours.Zone).DateTime);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(window.End, hours.Zone).DateTime);
        for (; day <= lastDay; day = day.AddDays(1))
        {
            if (hours.WeekdaysOnly && day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var from = Max(ToInstant(day, hours.Start, hours.Zone), window.Start);
            var to = Min(ToInstant(day, hours.End, hours.Zone), window.End);
            if (FirstInInterval(blocking, from, to, duration, grid) is { } start)
            {
                return start;
            }
        }

        return null;
    }

    /// <summary>Refuses a meeting length the planner does not book: none, or over a day.</summary>
    /// <exception cref="MailAdminException"><c>invalid-duration</c>.</exception>
    public static void CheckDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration > MaxDuration)
        {
            throw MailAdminException.Invalid("invalid-duration", $"A meeting lasts more than nothing and at most {MaxDuration.TotalHours:0} hours; choose a duration in between.");
        }
    }

    private static DateTimeOffset? FirstInInterval(List<(DateTimeOffset Start, DateTimeOffset End)> blocking, DateTimeOffset from, DateTimeOffset to, TimeSpan duration, TimeSpan step)
    {
        var candidate = RoundUp(from, step);
        foreach (var (start, end) in blocking)
        {
            if (end <= candidate)
            {
                continue;
            }

            if (start >= to || candidate + duration > to)
            {
                break;
            }

            if (candidate + duration <= start)
            {
                return candidate;
            }

            candidate = RoundUp(end, step);
        }

        return candidate + duration <= to ? candidate : null;
    }

    /// <summary>The periods as one sorted list of disjoint intervals; touching ones are joined.</summary>
    private static List<(DateTimeOffset Start, DateTimeOffset End)> Union(IEnumerable<BusyPeriod> periods)
    {
        var merged = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var period in periods.Where(p => p.End > p.Start).OrderBy(p => p.Start))
        {
            if (merged.Count > 0 && period.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Max(merged[^1].End, period.End));
            }
            else
            {
                merged.Add((period.Start, period.End));
            }
        }

        return merged;
    }

    /// <summary>A local time of a day as an instant; a time skipped by a summer-time change is read as the first after it.</summary>
    private static DateTimeOffset ToInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    private static DateTimeOffset RoundUp(DateTimeOffset at, TimeSpan step)
    {
        var ticks = at.UtcTicks;
        var remainder = ticks % step.Ticks;
        return new DateTimeOffset(remainder == 0 ? ticks : ticks - remainder + step.Ticks, TimeSpan.Zero);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
