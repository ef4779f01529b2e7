using System.Globalization;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Scheduling;

/// <summary>The time a free/busy answer covers, [Start, End), in UTC.</summary>
public sealed record FreeBusyRange(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>What clients get without asking: eight weeks from the current hour.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(56);

    /// <summary>The longest range one answer covers.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(366);

    private static readonly string[] CompactFormats = ["yyyyMMdd'T'HHmmss'Z'", "yyyyMMdd'T'HHmmss", "yyyyMMdd"];

    public TimeSpan Length => End - Start;

    /// <summary>
    /// The range of a free/busy query: <paramref name="start"/> (default: now, down to the hour),
    /// then <paramref name="end"/> or <paramref name="days"/> (default: eight weeks). Times are
    /// ISO 8601 (<c>2026-12-01</c>, <c>2026-12-01T09:00:00Z</c>, <c>…+01:00</c>) or iCalendar's
    /// <c>20261201T090000Z</c>; without an offset they are UTC. A bad value is refused with a
    /// stable code: <c>invalid-start</c>, <c>invalid-end</c>, <c>invalid-days</c>,
    /// <c>invalid-range</c> (end not after start, or both end and days), <c>range-too-long</c>.
    /// </summary>
    public static FreeBusyRange FromQuery(string? start, string? end, string? days, DateTimeOffset now)
    {
        var from = string.IsNullOrWhiteSpace(start)
            ? new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, now.UtcDateTime.Day, now.UtcDateTime.Hour, 0, 0, TimeSpan.Zero)
            : ParseInstant(start) ?? throw MailAdminException.Invalid("invalid-start", $"start '{Shorten(start)}' is not a date or time: use ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00:00Z.");
        if (!string.IsNullOrWhiteSpace(end) && !string.IsNullOrWhiteSpace(days))
        {
            throw MailAdminException.Invalid("invalid-range", "Give end or days, not both.");
        }

        DateTimeOffset to;
        if (!string.IsNullOrWhiteSpace(days))
        {
            if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > MaxLength.TotalDays)
            {
                throw MailAdminException.Invalid("invalid-days", $"days '{Shorten(days)}' must be a whole number from 1 to {MaxLength.TotalDays:0}.");
            }

            to = from.AddDays(count);
        }
        else
        {
            to = string.IsNullOrWhiteSpace(end)
                ? from + DefaultLength
                : ParseInstant(end) ?? throw MailAdminException.Invalid("invalid-end", $"end '{Shorten(end)}' is not a date or time: use ISO 8601, e.g. 2026-12-31 or 2026-12-31T18:00:00Z.");
        }

        return Create(from, to);
    }

    /// <summary>A range from two instants, checked as a query's would be.</summary>
    public static FreeBusyRange Create(DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start)
        {
            throw MailAdminException.Invalid("invalid-range", "The end of the range must be after its start.");
        }

        if (end - start > MaxLength)
        {
            throw MailAdminException.Invalid("range-too-long", $"Ask for at most {MaxLength.TotalDays:0} days at once.");
        }

        return new FreeBusyRange(start.ToUniversalTime(), end.ToUniversalTime());
    }

    private static DateTimeOffset? ParseInstant(string value)
    {
        var text = value.Trim();
        if (DateTimeOffset.TryParseExact(text, CompactFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var compact))
        {
            return compact;
        }

        // ISO 8601 only (yyyy-mm-dd first), so "tomorrow" or 12/01/2026, which reads two ways, never parses.
        return text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
