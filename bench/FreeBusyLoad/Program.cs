// Free/busy load generator for bench/freebusy-latency.sh. First it gives every attendee a
// calendar: iMIP invitations (a weekly series with an exception date, and single meetings)
// sent over SMTP to the incoming port of the attendee's home server, as an organiser on the
// Internet would; then it waits until the console's node shows them. Then it measures what a
// meeting planner in the console does: ask the free/busy of all the attendees at once, the
// default eight weeks, and wait for every answer. One such "view" is one sample.
// Usage: FreeBusyLoad <console-url> <admin-password> <views> <address>=<smtp-port>...
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: FreeBusyLoad <console-url> <admin-password> <views> <address>=<smtp-port>...");
    return 2;
}

var console = new Uri(args[0].TrimEnd('/') + "/");
var password = args[1];
var views = int.Parse(args[2], CultureInfo.InvariantCulture);
var attendees = args[3..].Select(a => a.Split('=')).Select(p => (Address: p[0], Port: int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

using var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
using var http = new HttpClient(handler) { BaseAddress = console, Timeout = TimeSpan.FromSeconds(60) };
var signIn = await http.PostAsJsonAsync("api/v1/session", new { username = "admin", password });
if (signIn.StatusCode != HttpStatusCode.NoContent)
{
    Console.Error.WriteLine($"sign-in on {console} answered {(int)signIn.StatusCode}");
    return 1;
}

// --- calendars ------------------------------------------------------------------------------
var monday = DateTime.UtcNow.Date.AddDays(1);
while (monday.DayOfWeek != DayOfWeek.Monday)
{
    monday = monday.AddDays(1);
}

var seeding = Stopwatch.StartNew();
var sent = 0;
for (var i = 0; i < attendees.Count; i++)
{
    var (address, port) = attendees[i];
    var weekly = Meeting($"weekly-{i}@bench", address, monday.AddHours(8 + (i % 4)), TimeSpan.FromHours(1));
    weekly.RecurrenceRule = new RecurrenceRule("FREQ=WEEKLY;BYDAY=MO,WE");
    weekly.ExceptionDates.Add(new CalDateTime(monday.AddDays(7).AddHours(8 + (i % 4)), CalDateTime.UtcTzId, true));
    await SendAsync(port, address, weekly);
    for (var m = 0; m < 4; m++)
    {
        await SendAsync(port, address, Meeting($"single-{i}-{m}@bench", address, monday.AddDays(1 + (m * 3) + (i % 2)).AddHours(10 + m), TimeSpan.FromMinutes(45)));
    }

    sent += 5;
}

// Every attendee's invitations have reached their home server when the console shows them.
var deadline = DateTime.UtcNow.AddMinutes(2);
foreach (var (address, _) in attendees)
{
    while (await PeriodsAsync(address) < 5)
    {
        if (DateTime.UtcNow > deadline)
        {
            Console.Error.WriteLine($"the free/busy of {address} did not show its invitations within 2 minutes");
            return 1;
        }

        await Task.Delay(100);
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"calendars:              {sent} iMIP invitations to {attendees.Count} attendees over SMTP, visible from the console after {seeding.Elapsed.TotalSeconds:0.0} s"));

// --- views ----------------------------------------------------------------------------------
// Two runs: the default range every time (what a planner asks again and again; the home server
// keeps the answer until the calendar changes), then a range of its own for each view (start
// moved by one hour per view), so every answer is expanded from the stored events again.
for (var i = 0; i < 5; i++)
{
    await ViewAsync(null, null);
}

await MeasureAsync("same range", _ => null);
await MeasureAsync("new range ", i => string.Create(CultureInfo.InvariantCulture, $"?start={monday.AddHours(-1 - i):yyyy-MM-dd'T'HH:mm:ss'Z'}&days=56"));
return 0;

async Task MeasureAsync(string label, Func<int, string?> query)
{
    var viewMs = new List<double>(views);
    var requestMs = new List<(string Address, double Ms)>(views * attendees.Count);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < views; i++)
    {
        var view = Stopwatch.StartNew();
        await ViewAsync(requestMs, query(i));
        viewMs.Add(view.Elapsed.TotalMilliseconds);
    }

    var elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{label}] views:        {views} of {attendees.Count} attendees each ({views * attendees.Count} requests) in {elapsed:0.0} s"));
    Console.WriteLine($"[{label}] view ms (all {attendees.Count}): {Summary(viewMs)}");
    Console.WriteLine($"[{label}] request ms (each):   {Summary([.. requestMs.Select(r => r.Ms)])}");
    foreach (var group in attendees.GroupBy(a => a.Port))
    {
        var addresses = group.Select(g => g.Address).ToHashSet(StringComparer.Ordinal);
        Console.WriteLine($"[{label}] request ms, home {group.Key,-6}: {Summary([.. requestMs.Where(r => addresses.Contains(r.Address)).Select(r => r.Ms)])}");
    }
}

async Task ViewAsync(List<(string Address, double Ms)>? record, string? query)
{
    var answers = await Task.WhenAll(attendees.Select(async a =>
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync($"freebusy/{a.Address}{query}");
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /freebusy/{a.Address} answered {(int)response.StatusCode}: {text}");
        }

        return (a.Address, watch.Elapsed.TotalMilliseconds);
    }));
    record?.AddRange(answers);
}

async Task<int> PeriodsAsync(string address)
{
    using var response = await http.GetAsync($"freebusy/{address}");
    var text = await response.Content.ReadAsStringAsync();
    return response.IsSuccessStatusCode ? text.Split('\n').Count(l => l.StartsWith("FREEBUSY", StringComparison.Ordinal)) : 0;
}

static CalendarEvent Meeting(string uid, string attendee, DateTime start, TimeSpan length)
{
    var meeting = new CalendarEvent
    {
        Uid = uid,
        DtStamp = new CalDateTime(DateTime.UtcNow, CalDateTime.UtcTzId, true),
        DtStart = new CalDateTime(start, CalDateTime.UtcTzId, true),
        DtEnd = new CalDateTime(start + length, CalDateTime.UtcTzId, true),
        Summary = "Bench meeting",
        Organizer = new Organizer("mailto:planner@example.org"),
    };
    meeting.Attendees.Add(new Attendee($"mailto:{attendee}") { ParticipationStatus = "NEEDS-ACTION", Rsvp = true });
    return meeting;
}

static async Task SendAsync(int port, string to, CalendarEvent meeting)
{
    var calendar = new Ical.Net.Calendar { Method = "REQUEST" };
    calendar.Events.Add(meeting);
    var part = new TextPart("calendar") { Text = new CalendarSerializer().SerializeToString(calendar) ?? string.Empty };
    part.ContentType.Parameters.Add("method", "REQUEST");
    var message = new MimeMessage { Subject = "Invitation" };
    message.From.Add(MailboxAddress.Parse("planner@example.org"));
    message.To.Add(MailboxAddress.Parse(to));
    message.Body = new MultipartAlternative { new TextPart("plain") { Text = "An invitation." }, part };
    using var smtp = new SmtpClient();
    await smtp.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
    await smtp.SendAsync(message);
    await smtp.DisconnectAsync(quit: true);
}

static string Summary(List<double> samples)
{
    if (samples.Count == 0)
    {
        return "-";
    }

    var sorted = samples.Order().ToArray();
    double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):0.0}  p95 {At(0.95):0.0}  p99 {At(0.99):0.0}  max {sorted[^1]:0.0}");
}
