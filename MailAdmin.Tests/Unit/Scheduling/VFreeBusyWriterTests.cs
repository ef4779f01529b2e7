using MailAdmin.Core.Scheduling;

namespace MailAdmin.Tests.Unit.Scheduling;

public sealed class VFreeBusyWriterTests
{
    [Fact]
    public void Write_GivesOneVFreeBusy_WithEachPeriodInUtc_AndItsType()
    {
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var answer = new FreeBusyAnswer(
            "bob.smith@company.com",
            new FreeBusyRange(start, start.AddDays(7)),
            [new BusyPeriod(start.AddHours(9), start.AddHours(10), BusyKind.Busy), new BusyPeriod(start.AddHours(13), start.AddHours(14.5), BusyKind.Tentative)],
            "ny",
            new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));

        var text = VFreeBusyWriter.Write(answer);

        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("BEGIN:VCALENDAR", lines[0]);
        Assert.Contains("METHOD:PUBLISH", lines);
        Assert.Contains("ORGANIZER:mailto:bob.smith@company.com", lines);
        Assert.Contains("DTSTART:20261207T000000Z", lines);
        Assert.Contains("DTEND:20261214T000000Z", lines);
        Assert.Contains("DTSTAMP:20261128T093000Z", lines);
        Assert.Equal(
            ["FREEBUSY;FBTYPE=BUSY:20261207T090000Z/20261207T100000Z", "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261207T130000Z/20261207T143000Z"],
            lines.Where(l => l.StartsWith("FREEBUSY", StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.True(System.Text.Encoding.UTF8.GetByteCount(l) <= 75, l));
        Assert.Equal("END:VCALENDAR", lines[^1]);
    }
}
