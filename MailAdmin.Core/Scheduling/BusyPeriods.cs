namespace MailAdmin.Core.Scheduling;

/// <summary>RFC 5545 FBTYPE of a busy period.</summary>
public enum BusyKind
{
    /// <summary><c>FBTYPE=BUSY</c>: an accepted meeting, or one the owner organises.</summary>
    Busy,

    /// <summary><c>FBTYPE=BUSY-TENTATIVE</c>: invited and not answered yet, or answered tentatively.</summary>
    Tentative,
}

/// <summary>A time the owner is not free, as an instant range [Start, End).</summary>
public sealed record BusyPeriod(DateTimeOffset Start, DateTimeOffset End, BusyKind Kind);

/// <summary>
/// Turns the occurrences of a calendar into what free/busy shows: each period cut to the
/// range asked; busy periods that overlap or touch become one; a tentative period gives way
/// to busy time over it (busy wins) and what is left of it merges with the other tentative
/// periods. The result is sorted by start and no two periods overlap.
/// </summary>
public static class BusyPeriods
{
    public static IReadOnlyList<BusyPeriod> Merge(IEnumerable<BusyPeriod> periods, FreeBusyRange range)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(range);
        var clipped = periods
            .Select(p => p with { Start = Max(p.Start, range.Start), End = Min(p.End, range.End) })
            .Where(p => p.End > p.Start)
            .ToList();
        var busy = Union(clipped.Where(p => p.Kind == BusyKind.Busy));
        var tentative = Union(clipped.Where(p => p.Kind == BusyKind.Tentative).SelectMany(p => Subtract(p, busy)));
        return [.. busy.Select(p => new BusyPeriod(p.Start, p.End, BusyKind.Busy))
            .Concat(tentative.Select(p => new BusyPeriod(p.Start, p.End, BusyKind.Tentative)))
            .OrderBy(p => p.Start)];
    }

    private static List<(DateTimeOffset Start, DateTimeOffset End)> Union(IEnumerable<BusyPeriod> periods)
    {
        var merged = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var p in periods.OrderBy(p => p.Start))
        {
            if (merged.Count > 0 && p.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Max(merged[^1].End, p.End));
            }
            else
            {
                merged.Add((p.Start, p.End));
            }
        }

        return merged;
    }

    /// <summary>What is left of <paramref name="period"/> outside the sorted, disjoint <paramref name="busy"/> periods.</summary>
    private static IEnumerable<BusyPeriod> Subtract(BusyPeriod period, List<(DateTimeOffset Start, DateTimeOffset End)> busy)
    {
        var start = period.Start;
        foreach (var (busyStart, busyEnd) in busy)
        {
            if (busyEnd <= start)
            {
                continue;
            }

            if (busyStart >= period.End)
            {
                break;
            }

            if (busyStart > start)
            {
                yield return period with { Start = start, End = busyStart };
            }

            start = Max(start, busyEnd);
            if (start >= period.End)
            {
                yield break;
            }
        }

        if (start < period.End)
        {
            yield return period with { Start = start };
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
