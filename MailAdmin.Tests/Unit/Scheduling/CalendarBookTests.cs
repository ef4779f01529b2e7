using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using MailAdmin.Core.Scheduling;
using MailAdmin.Core.Storage;
using MailAdmin.Tests.Infrastructure.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailAdmin.Tests.Unit.Scheduling;

/// <summary>The iTIP rules of <see cref="CalendarBook"/> on a real node database, with iCalendar written by Ical.Net.</summary>
public sealed class CalendarBookTests : IAsyncLifetime
{
    private const string Bob = "bob@company.com";
    private const string Alice = "alice@company.com";
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly FreeBusyRange Week = new(Monday, Monday.AddDays(7));

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mailadmin-calendar-{Guid.NewGuid():N}");
    private ServiceProvider _services = default!;
    private CalendarBook _book = default!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _services = new ServiceCollection()
            .AddDbContextFactory<NodeDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(_folder, "node.db")};Pooling=False"))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton<CalendarBook>()
            .BuildServiceProvider();
        await using (var db = await _services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        _book = _services.GetRequiredService<CalendarBook>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AnInvitation_IsTentative_AcceptedIsBusy_DeclinedIsFree()
    {
        var meeting = Imip.Meeting("m1", Alice, [Bob], At(0, 10), TimeSpan.FromHours(1));

        await ReceiveAsync("REQUEST", meeting);
        Assert.Equal([Tentative(0, 10, 11)], await BusyAsync());

        await SendAsync("REPLY", Imip.Answer(meeting, Bob, "ACCEPTED"));
        Assert.Equal([Busy(0, 10, 11)], await BusyAsync());

        await SendAsync("REPLY", Imip.Answer(meeting, Bob, "DECLINED"));
        Assert.Empty(await BusyAsync());
    }

    [Fact]
    public async Task AReplyReceived_ByTheOrganiser_DoesNotChangeTheirTime_AndTheirOwnRequestIsBusy()
    {
        var meeting = Imip.Meeting("m2", Bob, [Alice], At(1, 9), TimeSpan.FromMinutes(30));

        await SendAsync("REQUEST", meeting);
        Assert.Equal([Busy(1, 9, 9.5)], await BusyAsync());

        await ReceiveAsync("REPLY", Imip.Answer(meeting, Alice, "DECLINED"));
        Assert.Equal([Busy(1, 9, 9.5)], await BusyAsync());
    }

    [Fact]
    public async Task AnUpdate_WithAHigherSequence_MovesTheMeeting_AsksAgain_AndALateOlderRequestChangesNothing()
    {
        var first = Imip.Meeting("m3", Alice, [Bob], At(2, 14), TimeSpan.FromHours(1), sequence: 0);
        await ReceiveAsync("REQUEST", first);
        await SendAsync("REPLY", Imip.Answer(first, Bob, "ACCEPTED"));
        Assert.Equal([Busy(2, 14, 15)], await BusyAsync());

        var moved = Imip.Meeting("m3", Alice, [Bob], At(3, 16), TimeSpan.FromHours(2), sequence: 1);
        await ReceiveAsync("REQUEST", moved);
        Assert.Equal([Tentative(3, 16, 18)], await BusyAsync());

        await ReceiveAsync("REQUEST", first);
        Assert.Equal([Tentative(3, 16, 18)], await BusyAsync());

        // An answer to the old version does not count for the new one.
        await SendAsync("REPLY", Imip.Answer(first, Bob, "ACCEPTED"));
        Assert.Equal([Tentative(3, 16, 18)], await BusyAsync());

        // The same request again (same sequence) keeps Bob's answer.
        await SendAsync("REPLY", Imip.Answer(moved, Bob, "ACCEPTED"));
        await ReceiveAsync("REQUEST", Imip.Meeting("m3", Alice, [Bob], At(3, 16), TimeSpan.FromHours(2), sequence: 1, stamp: DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal([Busy(3, 16, 18)], await BusyAsync());
    }

    [Fact]
    public async Task ACancel_FreesTheTime_AndTheRequestArrivingAfterIt_DoesNotBringItBack()
    {
        var meeting = Imip.Meeting("m4", Alice, [Bob], At(4, 8), TimeSpan.FromHours(1), sequence: 2);
        await ReceiveAsync("REQUEST", meeting);
        await SendAsync("REPLY", Imip.Answer(meeting, Bob, "ACCEPTED"));

        var cancel = Imip.Meeting("m4", Alice, [Bob], At(4, 8), TimeSpan.FromHours(1), sequence: 3);
        cancel.Status = "CANCELLED";
        await ReceiveAsync("CANCEL", cancel);
        Assert.Empty(await BusyAsync());

        await ReceiveAsync("REQUEST", meeting);
        Assert.Empty(await BusyAsync());
    }

    [Fact]
    public async Task AWeeklySeries_WithAnExceptionDate_AMovedOccurrence_AndOneCancelled_IsExpandedOverTheRange()
    {
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var series = Imip.Meeting("weekly", Alice, [Bob], start, TimeSpan.FromHours(1));
        series.RecurrenceRule = new RecurrenceRule("FREQ=WEEKLY;COUNT=10");
        series.ExceptionDates.Add(Imip.Utc(start.AddDays(7)));
        var moved = Imip.Meeting("weekly", Alice, [Bob], start.AddDays(14).AddHours(5), TimeSpan.FromHours(2));
        moved.RecurrenceIdentifier = new RecurrenceIdentifier(Imip.Utc(start.AddDays(14)), null);

        await ReceiveAsync("REQUEST", series, moved);
        await SendAsync("REPLY", Imip.Answer(series, Bob, "ACCEPTED"));
        var fiveWeeks = new FreeBusyRange(start.AddDays(-1), start.AddDays(35));

        Assert.Equal(
            [
                new BusyPeriod(start, start.AddHours(1), BusyKind.Busy),
                new BusyPeriod(start.AddDays(14).AddHours(5), start.AddDays(14).AddHours(7), BusyKind.Busy),
                new BusyPeriod(start.AddDays(21), start.AddDays(21).AddHours(1), BusyKind.Busy),
                new BusyPeriod(start.AddDays(28), start.AddDays(28).AddHours(1), BusyKind.Busy),
            ],
            await _book.BusyAsync(Bob, fiveWeeks, CancellationToken.None));

        // The organiser cancels one occurrence: that week is free, the others stay.
        var cancelled = Imip.Meeting("weekly", Alice, [Bob], start.AddDays(21), TimeSpan.FromHours(1));
        cancelled.RecurrenceIdentifier = new RecurrenceIdentifier(Imip.Utc(start.AddDays(21)), null);
        await ReceiveAsync("CANCEL", cancelled);
        Assert.DoesNotContain(await _book.BusyAsync(Bob, fiveWeeks, CancellationToken.None), p => p.Start == start.AddDays(21));
        Assert.Equal(3, (await _book.BusyAsync(Bob, fiveWeeks, CancellationToken.None)).Count);

        // Bob declines one occurrence only.
        await SendAsync("REPLY", Imip.Answer(series, Bob, "DECLINED", recurrenceId: start.AddDays(28)));
        Assert.Equal(2, (await _book.BusyAsync(Bob, fiveWeeks, CancellationToken.None)).Count);

        // A range in the middle of the series sees only its own occurrences (expanded from the rule, not stored).
        var later = new FreeBusyRange(start.AddDays(49).AddMinutes(30), start.AddDays(57));
        Assert.Equal([new BusyPeriod(start.AddDays(49).AddMinutes(30), start.AddDays(49).AddHours(1), BusyKind.Busy), new BusyPeriod(start.AddDays(56), start.AddDays(56).AddHours(1), BusyKind.Busy)], await _book.BusyAsync(Bob, later, CancellationToken.None));
    }

    [Fact]
    public async Task AReplySentBeforeTheRequestArrived_StandsIn_UntilTheRequestReplacesIt_KeepingTheAnswer()
    {
        var start = At(0, 7);
        var series = Imip.Meeting("race", Alice, [Bob], start, TimeSpan.FromHours(1));
        series.RecurrenceRule = new RecurrenceRule("FREQ=DAILY;COUNT=3");
        series.ExceptionDates.Add(Imip.Utc(start.AddDays(1)));

        // The answer (without the EXDATE) is processed first, the invitation a moment later.
        var answer = Imip.Answer(series, Bob, "ACCEPTED");
        answer.ExceptionDates.Clear();
        await SendAsync("REPLY", answer);
        Assert.Equal([Busy(0, 7, 8), Busy(1, 7, 8), Busy(2, 7, 8)], await BusyAsync());
        await ReceiveAsync("REQUEST", series);

        Assert.Equal([Busy(0, 7, 8), Busy(2, 7, 8)], await BusyAsync());
    }

    [Fact]
    public async Task TransparentAndCancelledEvents_AreFree_AndTentativeStatusIsTentative()
    {
        var transparent = Imip.Meeting("t1", Alice, [Bob], At(0, 8), TimeSpan.FromHours(1), partStat: "ACCEPTED");
        transparent.Transparency = "TRANSPARENT";
        var cancelled = Imip.Meeting("t2", Alice, [Bob], At(0, 10), TimeSpan.FromHours(1), partStat: "ACCEPTED");
        cancelled.Status = "CANCELLED";
        var tentative = Imip.Meeting("t3", Alice, [Bob], At(0, 12), TimeSpan.FromHours(1), partStat: "ACCEPTED");
        tentative.Status = "TENTATIVE";

        await ReceiveAsync("REQUEST", transparent);
        await ReceiveAsync("REQUEST", cancelled);
        await ReceiveAsync("REQUEST", tentative);

        Assert.Equal([Tentative(0, 12, 13)], await BusyAsync());
    }

    [Fact]
    public async Task AnotherUsersCalendar_IsTheirsAlone()
    {
        await ReceiveAsync("REQUEST", Imip.Meeting("o1", Alice, [Bob], At(0, 10), TimeSpan.FromHours(1)));

        Assert.Empty(await _book.BusyAsync(Alice, Week, CancellationToken.None));
    }

    [Fact]
    public async Task TheCalendar_MovesWithItsOwner_ExportedAndReplacedElsewhere()
    {
        var meeting = Imip.Meeting("x1", Alice, [Bob], At(5, 10), TimeSpan.FromHours(1));
        await ReceiveAsync("REQUEST", meeting);
        await SendAsync("REPLY", Imip.Answer(meeting, Bob, "ACCEPTED"));

        var exported = await _book.ExportAsync(Bob, CancellationToken.None);
        await _book.RemoveAsync(Bob, CancellationToken.None);
        Assert.Empty(await BusyAsync());
        await _book.ReplaceAsync(Bob, [.. exported.Select(e => CalendarRecords.FromRecord(CalendarRecords.ToRecord(e), Bob, DateTimeOffset.UtcNow))], CancellationToken.None);

        Assert.Equal([Busy(5, 10, 11)], await BusyAsync());
    }

    private static DateTimeOffset At(int day, double hour) => Monday.AddDays(day).AddHours(hour);

    private static BusyPeriod Busy(int day, double from, double to) => new(At(day, from), At(day, to), BusyKind.Busy);

    private static BusyPeriod Tentative(int day, double from, double to) => new(At(day, from), At(day, to), BusyKind.Tentative);

    private Task<IReadOnlyList<BusyPeriod>> BusyAsync() => _book.BusyAsync(Bob, Week, CancellationToken.None);

    private Task ReceiveAsync(string method, params CalendarEvent[] events) => ApplyAsync(method, sentByOwner: false, events);

    private Task SendAsync(string method, params CalendarEvent[] events) => ApplyAsync(method, sentByOwner: true, events);

    private Task ApplyAsync(string method, bool sentByOwner, CalendarEvent[] events)
    {
        var itip = ItipReader.Parse(Imip.Calendar(method, events)) ?? throw new InvalidOperationException("Not iTIP.");
        return _book.ApplyAsync(Bob, address => address == Bob, itip, sentByOwner, CancellationToken.None);
    }
}
