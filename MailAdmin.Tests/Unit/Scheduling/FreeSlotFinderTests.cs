using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling;

namespace MailAdmin.Tests.Unit.Scheduling;

/// <summary>The meeting planner's first free slot: working hours, busy periods of many people, the edges.</summary>
public sealed class FreeSlotFinderTests
{
    /// <summary>Monday 7 December 2026, 00:00 UTC.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    private static readonly WorkingHours Utc = WorkingHours.Office(TimeZoneInfo.Utc);

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void FindFirst_NobodyBusy_IsTheStartOfTheFirstWorkingDay()
    {
        var slot = FreeSlotFinder.FindFirst([], Hour, Week(), Utc);

        Assert.Equal(At(0, 8), slot);
    }

    [Fact]
    public void FindFirst_WindowStartingMidMorning_RoundsUpToTheNextQuarterHour()
    {
        var window = FreeBusyRange.Create(At(0, 9) + TimeSpan.FromMinutes(7), At(5, 0));

        Assert.Equal(At(0, 9.25), FreeSlotFinder.FindFirst([], Hour, window, Utc));
    }

    [Fact]
    public void FindFirst_SkipsABusyMorning_AndStartsWhenItEnds()
    {
        BusyPeriod[] busy = [Busy(0, 8, 10)];

        Assert.Equal(At(0, 10), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_AGapTooShort_IsPassedOver()
    {
        // Free 10:00–10:45 only: an hour does not fit; 11:30 is the first start that does.
        BusyPeriod[] busy = [Busy(0, 8, 10), Busy(0, 10.75, 11.5)];

        Assert.Equal(At(0, 11.5), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_AGapExactlyTheLength_Fits()
    {
        BusyPeriod[] busy = [Busy(0, 8, 10), Busy(0, 11, 12)];

        Assert.Equal(At(0, 10), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_OverlappingAndTouchingPeriodsOfSeveralPeople_AreOneBlock()
    {
        // Ann 8–9:30, Bob 9–10 (overlaps Ann), the room 10–11 (touches Bob), given out of order.
        BusyPeriod[] busy = [Busy(0, 10, 11), Busy(0, 8, 9.5), Busy(0, 9, 10, BusyKind.Tentative)];

        Assert.Equal(At(0, 11), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_APeriodInsideAnother_DoesNotShortenIt()
    {
        BusyPeriod[] busy = [Busy(0, 8, 12), Busy(0, 9, 10)];

        Assert.Equal(At(0, 12), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_BusyEndingOffTheQuarter_StartsAtTheNextQuarter()
    {
        BusyPeriod[] busy = [new(At(0, 8), At(0, 9) + TimeSpan.FromMinutes(5), BusyKind.Busy)];

        Assert.Equal(At(0, 9.25), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_TentativeCountsAsBusy_UnlessToldOtherwise()
    {
        BusyPeriod[] busy = [Busy(0, 8, 9, BusyKind.Tentative)];

        Assert.Equal(At(0, 9), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
        Assert.Equal(At(0, 8), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc, tentativeIsBusy: false));
    }

    [Fact]
    public void FindFirst_AMeetingThatWouldRunPastTheEndOfTheDay_MovesToTheNextMorning()
    {
        // Busy until 17:30; a one-hour meeting would end at 18:30, after working hours.
        BusyPeriod[] busy = [Busy(0, 8, 17.5)];

        Assert.Equal(At(1, 8), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_FreeEveningAndFreeMorning_AreNotJoinedIntoOneSlot()
    {
        // 17:00–18:00 and 08:00–09:00 the next day are free, but a two-hour meeting fits in neither.
        BusyPeriod[] busy = [Busy(0, 8, 17), Busy(1, 9, 18)];

        Assert.Equal(At(2, 8), FreeSlotFinder.FindFirst(busy, TimeSpan.FromHours(2), Week(), Utc));
    }

    [Fact]
    public void FindFirst_SkipsTheWeekend_UnlessWeekendsAreWorked()
    {
        // From Friday 17:30: the weekend is skipped, Monday 08:00 is the answer.
        var window = FreeBusyRange.Create(At(4, 17.5), At(11, 0));

        Assert.Equal(At(7, 8), FreeSlotFinder.FindFirst([], Hour, window, Utc));
        Assert.Equal(At(5, 8), FreeSlotFinder.FindFirst([], Hour, window, Utc with { WeekdaysOnly = false }));
    }

    [Fact]
    public void FindFirst_WorkingHoursAreLocalTime_AcrossASummerTimeChange()
    {
        var prague = TimeZoneInfo.FindSystemTimeZoneById("Europe/Prague");

        // Friday 26 March 2027 17:30 in Prague (CET, UTC+1); clocks go forward on Sunday 28 March.
        var window = FreeBusyRange.Create(new DateTimeOffset(2027, 3, 26, 16, 30, 0, TimeSpan.Zero), new DateTimeOffset(2027, 4, 2, 0, 0, 0, TimeSpan.Zero));

        // Monday 29 March 08:00 CEST is 06:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 3, 29, 6, 0, 0, TimeSpan.Zero), FreeSlotFinder.FindFirst([], Hour, window, WorkingHours.Office(prague)));
    }

    [Fact]
    public void FindFirst_EveryoneBusyAllWeek_FindsNothing()
    {
        BusyPeriod[] busy = [new(Monday, Monday.AddDays(7), BusyKind.Busy)];

        Assert.Null(FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Fact]
    public void FindFirst_LongerThanAWorkingDay_FindsNothing()
    {
        Assert.Null(FreeSlotFinder.FindFirst([], TimeSpan.FromHours(11), Week(), Utc));
    }

    [Fact]
    public void FindFirst_WindowEndingBeforeTheMeetingCouldEnd_FindsNothing()
    {
        var window = FreeBusyRange.Create(At(0, 8), At(0, 8.5));

        Assert.Null(FreeSlotFinder.FindFirst([], Hour, window, Utc));
    }

    [Fact]
    public void FindFirst_BusyPeriodsOutsideTheWindow_DoNotMatter()
    {
        BusyPeriod[] busy = [Busy(-1, 8, 18), Busy(0, 18, 20)];

        Assert.Equal(At(0, 8), FreeSlotFinder.FindFirst(busy, Hour, Week(), Utc));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-30)]
    [InlineData(24 * 60 + 1)]
    public void FindFirst_ADurationOfNothingOrOverADay_IsRefused(int minutes)
    {
        var e = Assert.Throws<MailAdminException>(() => FreeSlotFinder.FindFirst([], TimeSpan.FromMinutes(minutes), Week(), Utc));

        Assert.Equal("invalid-duration", e.Code);
    }

    [Fact]
    public void FindFirst_WorkingHoursEndingBeforeTheyStart_AreRefused()
    {
        var hours = new WorkingHours(new TimeOnly(18, 0), new TimeOnly(8, 0), TimeZoneInfo.Utc);

        var e = Assert.Throws<MailAdminException>(() => FreeSlotFinder.FindFirst([], Hour, Week(), hours));

        Assert.Equal("invalid-working-hours", e.Code);
    }

    private static FreeBusyRange Week() => FreeBusyRange.Create(Monday, Monday.AddDays(7));

    private static DateTimeOffset At(int day, double hour) => Monday.AddDays(day).AddHours(hour);

    private static BusyPeriod Busy(int day, double from, double to, BusyKind kind = BusyKind.Busy) => new(At(day, from), At(day, to), kind);
}
