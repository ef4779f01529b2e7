using MailAdmin.Core.Scheduling;

namespace MailAdmin.Tests.Unit.Scheduling;

public sealed class BusyPeriodsTests
{
    private static readonly DateTimeOffset Day = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly FreeBusyRange WholeDay = new(Day, Day.AddDays(1));

    [Fact]
    public void Merge_OverlappingAndTouchingBusy_BecomeOnePeriod()
    {
        var merged = BusyPeriods.Merge([Busy(9, 10), Busy(9.5, 11), Busy(11, 12), Busy(14, 15)], WholeDay);

        Assert.Equal([Busy(9, 12), Busy(14, 15)], merged);
    }

    [Fact]
    public void Merge_TentativeUnderBusy_GivesWayToBusy_AndKeepsWhatIsLeftOnEitherSide()
    {
        var merged = BusyPeriods.Merge([Tentative(8, 13), Busy(9, 10), Busy(11, 12)], WholeDay);

        Assert.Equal([Tentative(8, 9), Busy(9, 10), Tentative(10, 11), Busy(11, 12), Tentative(12, 13)], merged);
    }

    [Fact]
    public void Merge_TentativeWhollyInsideBusy_Disappears_AndOverlappingTentativesMerge()
    {
        var merged = BusyPeriods.Merge([Busy(9, 12), Tentative(10, 11), Tentative(13, 14), Tentative(13.5, 15)], WholeDay);

        Assert.Equal([Busy(9, 12), Tentative(13, 15)], merged);
    }

    [Fact]
    public void Merge_CutsPeriodsToTheRange_AndDropsThoseOutside()
    {
        var range = new FreeBusyRange(Day.AddHours(10), Day.AddHours(16));

        var merged = BusyPeriods.Merge([Busy(8, 9), Busy(9, 11), Tentative(15, 18), Busy(16, 17)], range);

        Assert.Equal([Busy(10, 11), Tentative(15, 16)], merged);
    }

    [Fact]
    public void Merge_EmptyAndZeroLengthPeriods_GiveNothing()
    {
        Assert.Empty(BusyPeriods.Merge([], WholeDay));
        Assert.Empty(BusyPeriods.Merge([Busy(9, 9)], WholeDay));
    }

    private static BusyPeriod Busy(double from, double to) => new(Day.AddHours(from), Day.AddHours(to), BusyKind.Busy);

    private static BusyPeriod Tentative(double from, double to) => new(Day.AddHours(from), Day.AddHours(to), BusyKind.Tentative);
}
