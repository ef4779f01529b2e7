using System.Globalization;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Planner = MailAdmin.Core.Scheduling.MeetingPlanner;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The meeting planner (issue 8): people and resources picked from the Global Address List, their
/// free/busy side by side for a day or a week, the first time all are free, and the invitation
/// sent from the organiser's address. Times are shown, and working hours read, in the time zone
/// chosen on the page (UTC until another is chosen): the one zone the administrator plans in.
/// </summary>
public sealed partial class MeetingPlanner : IDisposable
{
    public const string EmptyText = "Add people or resources from the Global Address List to see when they are free.";

    /// <summary>How far ahead "Find first free slot" looks from the day shown.</summary>
    private static readonly TimeSpan SearchAhead = TimeSpan.FromDays(28);

    private readonly List<GalEntry> _attendees = [];
    private MudAutocomplete<GalEntry>? _addBox;
    private CancellationTokenSource _loads = new();
    private IReadOnlyList<DomainInfo>? _domains;
    private string? _domain;
    private GalEntry? _organizer;
    private IReadOnlyList<AttendeeAvailability> _rows = [];
    private PlannerView _view = PlannerView.Day;
    private DateTime? _date;
    private string _zoneId = TimeZoneInfo.Utc.Id;
    private TimeSpan _duration = TimeSpan.FromHours(1);
    private int _workStart = 8;
    private int _workEnd = 18;
    private DateTimeOffset? _slot;
    private string? _slotNote;
    private string? _subject;
    private string? _location;
    private string? _description;
    private bool _loading;
    private bool _sending;
    private string? _error;

    private enum PlannerView
    {
        Day,
        Week,
    }

    [Inject]
    private Planner Planner { get; set; } = default!;

    [Inject]
    private GalService Gal { get; set; } = default!;

    [Inject]
    private DomainService Domains { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private static IReadOnlyList<TimeSpan> Durations { get; } =
        [.. new[] { 15, 30, 45, 60, 90, 120, 180, 240, 480 }.Select(m => TimeSpan.FromMinutes(m))];

    private static IReadOnlyList<int> StartHours { get; } = [.. Enumerable.Range(0, 24)];

    private static IReadOnlyList<int> EndHours { get; } = [.. Enumerable.Range(1, 23)];

    private static IReadOnlyList<TimeZoneInfo> Zones { get; } = TimeZoneInfo.GetSystemTimeZones();

    private TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(_zoneId);

    private WorkingHours Hours => new(new TimeOnly(_workStart, 0), new TimeOnly(_workEnd, 0), Zone);

    /// <summary>The first day shown, at local midnight.</summary>
    private DateOnly FirstDay
    {
        get
        {
            var day = DateOnly.FromDateTime(_date ?? TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), Zone).DateTime);
            return _view == PlannerView.Week ? day.AddDays(-(((int)day.DayOfWeek + 6) % 7)) : day;
        }
    }

    private int DaysShown => _view == PlannerView.Week ? 7 : 1;

    private FreeBusyRange Shown => FreeBusyRange.Create(LocalMidnight(FirstDay), LocalMidnight(FirstDay.AddDays(DaysShown)));

    private bool CanSend => _slot is not null && _organizer is not null && _attendees.Count > 0 && !string.IsNullOrWhiteSpace(_subject) && !_sending;

    public void Dispose()
    {
        _loads.Cancel();
        _loads.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        _domains = await Domains.ListAsync(await GetAdminAsync(), CancellationToken.None);
        _domain = _domains.Count > 0 ? _domains[0].Name : null;
    }

    /// <summary>Users and resources of the domain matching the text; groups and lists have no calendar.</summary>
    private async Task<IEnumerable<GalEntry>> SearchAsync(string? text, bool usersOnly, CancellationToken cancellationToken)
    {
        if (_domain is null)
        {
            return [];
        }

        var page = await Gal.SearchAsync(await GetAdminAsync(), _domain, text, 1, 20, cancellationToken);
        return page.Items.Where(e => e.Kind == GalKinds.User || (!usersOnly && e.Kind == GalKinds.Resource));
    }

    private Task<IEnumerable<GalEntry>> SearchAttendeesAsync(string? text, CancellationToken cancellationToken) => SearchAsync(text, usersOnly: false, cancellationToken);

    private Task<IEnumerable<GalEntry>> SearchOrganizersAsync(string? text, CancellationToken cancellationToken) => SearchAsync(text, usersOnly: true, cancellationToken);

    private async Task AddAttendeeAsync(GalEntry? entry)
    {
        if (entry is null || _attendees.Exists(a => a.Address == entry.Address))
        {
            return;
        }

        _attendees.Add(entry);

        // The box is for adding: empty again for the next person.
        if (_addBox is not null)
        {
            await _addBox.ClearAsync();
        }

        await ReloadAsync();
    }

    private async Task RemoveAttendeeAsync(GalEntry entry)
    {
        _attendees.Remove(entry);
        await ReloadAsync();
    }

    private Task DomainChangedAsync(string domain)
    {
        _domain = domain;
        _attendees.Clear();
        _organizer = null;
        return ReloadAsync();
    }

    private Task ViewChangedAsync(PlannerView view)
    {
        if (view == _view)
        {
            return Task.CompletedTask;
        }

        _view = view;
        return ReloadAsync();
    }

    private Task DateChangedAsync(DateTime? date)
    {
        // The picker echoes the date the planner moved to (a slot found on another day): nothing changed then.
        if (date?.Date == _date?.Date)
        {
            return Task.CompletedTask;
        }

        _date = date;
        return ReloadAsync();
    }

    private Task ZoneChangedAsync(string zoneId)
    {
        if (zoneId == _zoneId)
        {
            return Task.CompletedTask;
        }

        _zoneId = zoneId;
        return ReloadAsync();
    }

    private Task ShiftAsync(int direction)
    {
        _date = FirstDay.AddDays(direction * DaysShown).ToDateTime(TimeOnly.MinValue);
        return ReloadAsync();
    }

    /// <summary>Reads the rows for what is shown again; a load still running is cancelled first.</summary>
    private async Task ReloadAsync()
    {
        _error = null;
        _slot = null;
        _slotNote = null;
        await _loads.CancelAsync();
        _loads.Dispose();
        _loads = new CancellationTokenSource();
        var token = _loads.Token;
        if (_attendees.Count == 0)
        {
            _rows = [];
            return;
        }

        _loading = true;
        try
        {
            _rows = await Planner.ReadAsync(await GetAdminAsync(), [.. _attendees.Select(a => a.Address)], Shown, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
        }
        finally
        {
            if (!token.IsCancellationRequested)
            {
                _loading = false;
            }
        }
    }

    private async Task FindSlotAsync()
    {
        _error = null;
        _loading = true;
        try
        {
            var now = Clock.GetUtcNow();
            var from = Shown.Start > now ? Shown.Start : now;
            var window = FreeBusyRange.Create(from, from + SearchAhead);
            var rows = await Planner.ReadAsync(await GetAdminAsync(), [.. _attendees.Select(a => a.Address)], window, CancellationToken.None);
            var slot = Planner.FirstFreeSlot(rows, _duration, window, Hours);
            var unknown = rows.Where(r => !r.Known).Select(r => r.Address).ToList();
            if (slot is null)
            {
                _error = $"There is no time of {DurationText(_duration)} when everyone is free within working hours ({_workStart:00}:00–{_workEnd:00}:00, Monday to Friday) in the next {SearchAhead.TotalDays:0} days was not found: try a shorter meeting or fewer attendees.";
                return;
            }

            _date = TimeZoneInfo.ConvertTime(slot.Value, Zone).Date;
            await ReloadAsync();
            _slot = slot;
            _slotNote = unknown.Count == 0 ? null : $"Free/busy of {string.Join(", ", unknown)} is unknown: they may be busy then.";
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task SendAsync()
    {
        if (_slot is not { } start || _organizer is null)
        {
            return;
        }

        _error = null;
        _sending = true;
        try
        {
            var attendees = _attendees.Select(a => new MeetingAttendee(a.Address, a.Name, a.Kind == GalKinds.Resource ? AttendeeKind.Room : AttendeeKind.Person)).ToList();
            var sent = await Planner.SendAsync(
                await GetActorAsync(),
                new MeetingRequest(_organizer.Address, attendees, start, _duration, _subject ?? string.Empty, _location, _description, _organizer.Name),
                CancellationToken.None);
            Snackbar.Add($"Invitation sent to {string.Join(", ", sent.Recipients)}.", Severity.Success);
            _subject = null;
            _location = null;
            _description = null;
            await ReloadAsync();
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
        }
        finally
        {
            _sending = false;
        }
    }

    private DateTimeOffset LocalMidnight(DateOnly day) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), Zone), TimeSpan.Zero);

    /// <summary>Where a period lies on a row, as CSS <c>left</c> and <c>width</c> in percent of the range shown.</summary>
    private string Place(DateTimeOffset start, DateTimeOffset end)
    {
        var range = Shown;
        var from = start < range.Start ? range.Start : start;
        var to = end > range.End ? range.End : end;
        var total = range.Length.TotalMinutes;
        var left = (from - range.Start).TotalMinutes / total * 100;
        var width = Math.Max((to - from).TotalMinutes / total * 100, 0.2);
        return string.Create(CultureInfo.InvariantCulture, $"left: {left:0.###}%; width: {width:0.###}%");
    }

    /// <summary>The column headings: hours of the day shown, or the days of the week.</summary>
    private IEnumerable<(string Label, string Style)> Columns()
    {
        if (_view == PlannerView.Week)
        {
            return Enumerable.Range(0, 7).Select(d => FirstDay.AddDays(d))
                .Select(day => (day.ToString("ddd d MMM", CultureInfo.InvariantCulture), Place(LocalMidnight(day), LocalMidnight(day.AddDays(1)))));
        }

        var start = Shown.Start;
        var hours = (int)Math.Round(Shown.Length.TotalHours);
        return Enumerable.Range(0, hours)
            .Select(h => (TimeZoneInfo.ConvertTime(start.AddHours(h), Zone).ToString("HH", CultureInfo.InvariantCulture), Place(start.AddHours(h), start.AddHours(h + 1))));
    }

    private string Local(DateTimeOffset at, string format) => TimeZoneInfo.ConvertTime(at, Zone).ToString(format, CultureInfo.InvariantCulture);

    private string SlotText(DateTimeOffset start) => $"{Local(start, "dddd d MMMM yyyy, HH:mm")}–{Local(start + _duration, "HH:mm")} ({ZoneName(Zone)})";

    private string PeriodText(BusyPeriod period) =>
        $"{(period.Kind == BusyKind.Busy ? "Busy" : "Tentative")} {Local(period.Start, "ddd HH:mm")}–{Local(period.End, "ddd HH:mm")}";

    private static string UnknownText(AttendeeAvailability row) => row.ErrorCode switch
    {
        "home-server-unreachable" => $"unknown — {row.HomeServer ?? "its home server"} is unreachable",
        _ => $"unknown — {row.Error}",
    };

    private static string ZoneName(TimeZoneInfo zone) => zone.Id == TimeZoneInfo.Utc.Id ? "UTC" : zone.Id;

    private static string DurationText(TimeSpan duration) => duration.TotalMinutes switch
    {
        < 60 => $"{duration.TotalMinutes:0} minutes",
        60 => "1 hour",
        _ when duration.Minutes == 0 => $"{duration.TotalHours:0} hours",
        _ => $"{duration.TotalHours:0.#} hours",
    };

    private string NameOf(string address) => _attendees.Find(a => a.Address == address)?.Name ?? address;

    private static string KindIcon(GalEntry entry) => entry.Kind == GalKinds.Resource ? Icons.Material.Filled.MeetingRoom : Icons.Material.Filled.Person;
}
