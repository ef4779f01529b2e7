using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling;

namespace MailAdmin.Tests.Unit.Scheduling;

public sealed class FreeBusyRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 41, 17, TimeSpan.Zero);

    [Fact]
    public void FromQuery_NothingGiven_IsEightWeeksFromTheCurrentHour()
    {
        var range = FreeBusyRange.FromQuery(null, null, null, Now);

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), range.Start);
        Assert.Equal(range.Start.AddDays(56), range.End);
    }

    [Theory]
    [InlineData("2026-12-01", null, "7", "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z")]
    [InlineData("2026-12-01T09:00:00+01:00", "2026-12-01T17:00:00Z", null, "2026-12-01T08:00:00Z", "2026-12-01T17:00:00Z")]
    [InlineData("20261201T090000Z", "20261202", null, "2026-12-01T09:00:00Z", "2026-12-02T00:00:00Z")]
    [InlineData(null, null, "1", "2026-11-28T09:00:00Z", "2026-11-29T09:00:00Z")]
    public void FromQuery_StartEndOrDays_AreReadAsIsoOrICalendarTimes(string? start, string? end, string? days, string expectedStart, string expectedEnd)
    {
        var range = FreeBusyRange.FromQuery(start, end, days, Now);

        Assert.Equal(DateTimeOffset.Parse(expectedStart, System.Globalization.CultureInfo.InvariantCulture), range.Start);
        Assert.Equal(DateTimeOffset.Parse(expectedEnd, System.Globalization.CultureInfo.InvariantCulture), range.End);
        Assert.Equal(TimeSpan.Zero, range.Start.Offset);
    }

    [Theory]
    [InlineData("tomorrow", null, null, "invalid-start")]
    [InlineData("12/01/2026", null, null, "invalid-start")]
    [InlineData(null, "soon", null, "invalid-end")]
    [InlineData(null, null, "0", "invalid-days")]
    [InlineData(null, null, "367", "invalid-days")]
    [InlineData(null, null, "-3", "invalid-days")]
    [InlineData(null, null, "two", "invalid-days")]
    [InlineData("2026-12-02", "2026-12-01", null, "invalid-range")]
    [InlineData("2026-12-01", "2026-12-01", null, "invalid-range")]
    [InlineData("2026-12-01", "2026-12-02", "3", "invalid-range")]
    [InlineData("2026-01-01", "2027-06-01", null, "range-too-long")]
    public void FromQuery_BadValues_AreRefusedWithAStableCode(string? start, string? end, string? days, string code)
    {
        var refused = Assert.Throws<MailAdminException>(() => FreeBusyRange.FromQuery(start, end, days, Now));

        Assert.Equal(ErrorKind.Invalid, refused.Kind);
        Assert.Equal(code, refused.Code);
    }
}
