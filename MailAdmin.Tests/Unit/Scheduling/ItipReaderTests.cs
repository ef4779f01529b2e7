using System.Text;
using MailAdmin.Core.Scheduling;
using MailAdmin.Tests.Infrastructure.Mail;

namespace MailAdmin.Tests.Unit.Scheduling;

public sealed class ItipReaderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_FindsTheCalendar_InMultipartAlternative_OrAsAnAttachment(bool asAttachment)
    {
        var meeting = Imip.Meeting("uid-1@test", "alice@company.com", ["bob@company.com"], Start, TimeSpan.FromHours(1), sequence: 3);
        var message = Imip.Message("alice@company.com", ["bob@company.com"], "REQUEST", Imip.Calendar("REQUEST", meeting), asAttachment);
        using var stream = new MemoryStream();
        await message.WriteToAsync(stream);

        stream.Position = 0;
        Assert.True(ItipReader.MayHoldCalendar(stream));
        stream.Position = 0;
        var itip = await ItipReader.ReadAsync(stream, CancellationToken.None);

        Assert.NotNull(itip);
        Assert.Equal(ItipMethod.Request, itip.Method);
        var item = Assert.Single(itip.Events);
        Assert.Equal("uid-1@test", item.Uid);
        Assert.Equal(3, item.Sequence);
        Assert.Equal("alice@company.com", item.Organizer);
        Assert.Equal("NEEDS-ACTION", item.Attendees["bob@company.com"]);
        Assert.Equal(Start, item.StartsAt);
        Assert.Equal(Start.AddHours(1), item.EndsAt);
    }

    [Fact]
    public void MayHoldCalendar_IsFalse_ForOrdinaryMail()
    {
        var text = "From: a@b.c\r\nTo: d@e.f\r\nSubject: lunch\r\nContent-Type: text/plain\r\n\r\nA calendar? No.\r\n";

        Assert.False(ItipReader.MayHoldCalendar(new MemoryStream(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Parse_WithoutAMethod_OrWithPublish_IsNotScheduling()
    {
        var meeting = Imip.Meeting("uid-2@test", "alice@company.com", ["bob@company.com"], Start, TimeSpan.FromHours(1));

        Assert.Null(ItipReader.Parse(Imip.Calendar("PUBLISH", meeting)));
    }

    [Theory]
    [InlineData("this is not a calendar")]
    [InlineData("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:no uid, no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    [InlineData("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    [InlineData("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=(UTC+01:00) Amsterdam, Berlin:20261202T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    public void Parse_Malformed_IsAFormatError(string text)
    {
        Assert.Throws<ItipFormatException>(() => ItipReader.Parse(text, "REQUEST"));
    }
}
