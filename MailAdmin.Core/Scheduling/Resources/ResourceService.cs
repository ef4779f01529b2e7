using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Scheduling.Resources;

/// <summary>A room or equipment as administrators see it.</summary>
/// <param name="HomeServer">The server that keeps its calendar and administers it.</param>
/// <param name="IsHere">This server is its home: it may be changed, and its bookings are here.</param>
public sealed record ResourceInfo(
    string Address,
    string Name,
    ResourceType Type,
    int? Capacity,
    string? Location,
    string? Description,
    BookingPolicy Policy,
    string? Manager,
    string HomeServer,
    bool IsHere);

/// <summary>What an administrator sets on a resource; the address only when creating it.</summary>
public sealed record ResourceInput(
    string? Address,
    string? Name,
    ResourceType? Type,
    int? Capacity,
    string? Location,
    string? Description,
    BookingPolicy? Policy,
    string? Manager);

/// <summary>How a resource answered a booking.</summary>
public enum BookingStatus
{
    Accepted,

    /// <summary>Under manager approval, not answered yet: held tentative.</summary>
    Pending,

    Declined,

    /// <summary>Cancelled by its organiser.</summary>
    Cancelled,
}

/// <summary>One meeting in a resource's calendar.</summary>
/// <param name="EndsAt">When its last occurrence ends; null for a series without end.</param>
public sealed record BookingInfo(string Uid, string? Summary, string? Organizer, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, bool Recurring, BookingStatus Status);

/// <summary>
/// Rooms and equipment (issue 8; manual, chapter 8): created and changed on their home server,
/// which keeps their calendars; seen by every server of the distributed domain through the home
/// server's document, so they are in every Global Address List and bookable from anywhere.
/// </summary>
public sealed class ResourceService(
    IDbContextFactory<NodeDbContext> databases,
    CalendarBook book,
    ResourceDesk desk,
    AuditLog audit,
    NodeOptions node,
    TimeProvider clock)
{
    public const int MaxName = 128;
    public const int MaxLocation = 256;
    public const int MaxDescription = 2048;
    public const int MaxCapacity = 100_000;

    public async Task<IReadOnlyList<ResourceInfo>> ListAsync(AdminPrincipal reader, string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ascii = DomainNames.Normalize(domain);
        AccessPolicy.Demand(reader, Permission.ViewUsers, ascii);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var id = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
        var rows = await db.Resources.AsNoTracking().Where(r => r.DomainId == id).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.LocalPart, StringComparer.Ordinal).Select(r => ToInfo(r, ascii))];
    }

    public async Task<ResourceInfo> GetAsync(AdminPrincipal reader, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var parsed = ParseAddress(address);
        AccessPolicy.Demand(reader, Permission.ViewUsers, parsed.Domain);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return ToInfo(await FindAsync(db, parsed, cancellationToken), parsed.Domain);
    }

    /// <summary>Creates a resource homed on this server.</summary>
    /// <param name="domain">The domain; null takes it from a full address in <paramref name="input"/>.</param>
    /// <exception cref="MailAdminException"><c>address-exists</c> when anything of the domain has the address; <c>domain-required</c>; the input's own codes.</exception>
    public Task<ResourceInfo> CreateAsync(Actor actor, string? domain, ResourceInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        return audit.RunAsync(actor, "resource.create", input.Address ?? string.Empty, async () =>
        {
            var address = input.Address ?? string.Empty;
            var ascii = DomainNames.Normalize(domain
                ?? (address.Contains('@', StringComparison.Ordinal) ? address[(address.LastIndexOf('@') + 1)..]
                    : throw MailAdminException.Invalid("domain-required", "Give the full address (room-201@company.com), or the domain.")));
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, ascii);
            var parsed = ParseInDomain(input.Address, ascii);
            var resource = new BookableResource { LocalPart = parsed.LocalPart, Name = string.Empty, CreatedAt = clock.GetUtcNow() };
            Apply(resource, input, creating: true);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            resource.DomainId = (await DomainService.FindAsync(db, ascii, cancellationToken)).Id;
            await AddressBookService.EnsureFreeAsync(db, resource.DomainId, parsed, cancellationToken);
            db.Resources.Add(resource);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return ToInfo(resource, ascii);
        }, cancellationToken);
    }

    /// <summary>Changes what is given in <paramref name="input"/> (null fields stay); only on the resource's home server.</summary>
    public Task<ResourceInfo> UpdateAsync(Actor actor, string address, ResourceInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        return audit.RunAsync(actor, "resource.update", address ?? string.Empty, async () =>
        {
            var parsed = ParseAddress(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            if (input.Address is { Length: > 0 } wanted
                && !(MailAddresses.TryParse(wanted.Contains('@', StringComparison.Ordinal) ? wanted : $"{wanted}@{parsed.Domain}", out var other) && other == parsed))
            {
                throw MailAdminException.Invalid("address-unchangeable", "A resource's address cannot be changed: create a new resource with the new address, and delete this one.");
            }

            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var resource = await FindAsync(db, parsed, cancellationToken);
            EnsureHome(resource, parsed);
            Apply(resource, input, creating: false);
            await db.SaveChangesAsync(cancellationToken);
            return ToInfo(resource, parsed.Domain);
        }, cancellationToken);
    }

    /// <summary>Deletes a resource and its calendar; refused while it has bookings to come, which its organisers would lose unannounced.</summary>
    public Task DeleteAsync(Actor actor, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "resource.delete", address ?? string.Empty, async () =>
        {
            var parsed = ParseAddress(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var resource = await FindAsync(db, parsed, cancellationToken);
            EnsureHome(resource, parsed);
            var owner = parsed.ToString();
            var now = clock.GetUtcNow();
            var coming = await db.CalendarEntries.CountAsync(
                c => c.Owner == owner && !c.Cancelled && (c.Participation == "ACCEPTED" || c.Participation == "NEEDS-ACTION") && (c.EndsAt == null || c.EndsAt > now),
                cancellationToken);
            if (coming > 0)
            {
                throw MailAdminException.Conflict("resource-has-bookings",
                    $"{owner} has {coming} booking(s) to come. Cancel them first on its Bookings tab (their organisers are told by mail), then delete it.");
            }

            db.Resources.Remove(resource);
            await db.CalendarEntries.Where(c => c.Owner == owner).ExecuteDeleteAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>The resource's meetings that have not ended, soonest first; kept on its home server only.</summary>
    public async Task<IReadOnlyList<BookingInfo>> BookingsAsync(AdminPrincipal reader, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var parsed = ParseAddress(address);
        AccessPolicy.Demand(reader, Permission.ViewUsers, parsed.Domain);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var resource = await FindAsync(db, parsed, cancellationToken);
        if (resource.HomeServer is { } home)
        {
            throw MailAdminException.Conflict("not-home-server",
                $"The bookings of {parsed} are kept on its home server, {home}: open {home}'s administration console to see them.");
        }

        var owner = parsed.ToString();
        var now = clock.GetUtcNow();
        var rows = await db.CalendarEntries.AsNoTracking()
            .Where(c => c.Owner == owner && (c.EndsAt == null || c.EndsAt > now))
            .ToListAsync(cancellationToken);
        return [.. rows.GroupBy(r => r.Uid, StringComparer.Ordinal)
            .Select(ToBooking)
            .OfType<BookingInfo>()
            .OrderBy(b => b.StartsAt)
            .ThenBy(b => b.Uid, StringComparer.Ordinal)];
    }

    /// <summary>An administrator cancels a booking; the organiser gets the resource's DECLINED answer with <paramref name="reason"/>.</summary>
    public Task CancelBookingAsync(Actor actor, string address, string uid, string? reason, CancellationToken cancellationToken) =>
        AnswerAsync(actor, "booking.cancel", address, uid, accept: false, reason is { Length: > 0 } ? $"cancelled by the administrator: {CleanReason(reason)}" : "cancelled by the administrator", cancellationToken);

    /// <summary>The manager (an administrator) approves a pending request; refused when it now clashes.</summary>
    public Task ApproveBookingAsync(Actor actor, string address, string uid, CancellationToken cancellationToken) =>
        AnswerAsync(actor, "booking.approve", address, uid, accept: true, null, cancellationToken);

    public Task DeclineBookingAsync(Actor actor, string address, string uid, string? reason, CancellationToken cancellationToken) =>
        AnswerAsync(actor, "booking.decline", address, uid, accept: false, reason is { Length: > 0 } ? $"declined by its manager: {CleanReason(reason)}" : "declined by its manager", cancellationToken);

    private async Task AnswerAsync(Actor actor, string action, string address, string uid, bool accept, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await audit.RunAsync(actor, action, $"{address} {uid}", async () =>
        {
            var parsed = ParseAddress(address);
            AccessPolicy.Demand(actor.Principal, Permission.ManageUsers, parsed.Domain);
            if (string.IsNullOrWhiteSpace(uid) || uid.Length > 1024)
            {
                throw MailAdminException.Invalid("invalid-booking", "Name the booking by its UID, as the bookings list gives it.");
            }

            BookableResource resource;
            await using (var db = await databases.CreateDbContextAsync(cancellationToken))
            {
                resource = await FindAsync(db, parsed, cancellationToken);
            }

            EnsureHome(resource, parsed);
            var meeting = await book.AnswerBookingAsync(parsed.ToString(), uid, accept, cancellationToken);

            // The answer is committed; the organiser's copy of it is queued durably right after.
            await desk.TellOrganizerAsync(resource, parsed.ToString(), meeting, accept ? "ACCEPTED" : CalendarBook.Declined, reason, CancellationToken.None);
            return true;
        }, cancellationToken);
    }

    private static BookingInfo? ToBooking(IGrouping<string, CalendarEntry> meeting)
    {
        var series = meeting.FirstOrDefault(e => e.RecurrenceKey.Length == 0) ?? meeting.OrderBy(e => e.StartsAt).First();
        var component = series.Component ?? meeting.FirstOrDefault(e => e.Component is not null)?.Component;
        if (component is null)
        {
            return null;
        }

        string? summary = null;
        string? organizer = null;
        var recurring = false;
        try
        {
            var vevent = Ical.Net.Calendar.Load(component)?.Events.FirstOrDefault();
            summary = vevent?.Summary;
            organizer = ItipReader.AddressOf(vevent?.Organizer?.Value);
            recurring = vevent?.RecurrenceRule is not null || meeting.Any(e => e.RecurrenceKey.Length > 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Listed without its words rather than not at all.
        }

        var status = series.Cancelled ? BookingStatus.Cancelled
            : series.Participation switch
            {
                "ACCEPTED" => BookingStatus.Accepted,
                CalendarBook.Declined => BookingStatus.Declined,
                _ => BookingStatus.Pending,
            };
        return new BookingInfo(meeting.Key, summary, organizer, series.StartsAt, series.EndsAt, recurring, status);
    }

    private static void Apply(BookableResource resource, ResourceInput input, bool creating)
    {
        if (creating || input.Name is not null)
        {
            resource.Name = Text(input.Name, MaxName, "invalid-name", "name") ?? throw MailAdminException.Invalid("invalid-name", "Give the resource a name, e.g. \"Meeting room 2.01\".");
        }

        if (creating || input.Type is not null)
        {
            resource.Type = input.Type ?? ResourceType.Room;
        }

        if (!Enum.IsDefined(resource.Type))
        {
            throw MailAdminException.Invalid("invalid-type", "type is Room or Equipment.");
        }

        if (creating || input.Capacity is not null)
        {
            resource.Capacity = input.Capacity switch
            {
                null or 0 => null,
                < 0 or > MaxCapacity => throw MailAdminException.Invalid("invalid-capacity", $"capacity is a number of seats from 1 to {MaxCapacity}, or empty."),
                { } seats => seats,
            };
        }

        if (creating || input.Location is not null)
        {
            resource.Location = Text(input.Location, MaxLocation, "invalid-location", "location");
        }

        if (creating || input.Description is not null)
        {
            resource.Description = Text(input.Description, MaxDescription, "invalid-description", "description", multiline: true);
        }

        if (creating || input.Policy is not null)
        {
            resource.Policy = input.Policy ?? BookingPolicy.AutoAccept;
        }

        if (!Enum.IsDefined(resource.Policy))
        {
            throw MailAdminException.Invalid("invalid-policy", "policy is AutoAccept or ManagerApproval.");
        }

        if (creating || input.Manager is not null)
        {
            resource.Manager = string.IsNullOrWhiteSpace(input.Manager) ? null
                : MailAddresses.TryParse(input.Manager, out var manager) ? manager.ToString()
                : throw MailAdminException.Invalid("invalid-manager", $"The manager '{Shorten(input.Manager)}' is not an e-mail address.");
        }

        if (resource.Policy == BookingPolicy.ManagerApproval && resource.Manager is null)
        {
            throw MailAdminException.Invalid("manager-required", "A resource whose bookings need approval needs a manager: give the address of the person who approves them.");
        }
    }

    /// <summary>Trimmed text within its length, without control characters (they would break a vCard or a header line); null when empty.</summary>
    private static string? Text(string? value, int max, string code, string field, bool multiline = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length > max)
        {
            throw MailAdminException.Invalid(code, $"The {field} is {text.Length} characters long; at most {max} are allowed.");
        }

        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            throw MailAdminException.Invalid(code, $"The {field} contains control characters{(multiline ? string.Empty : " or line breaks")}: remove them.");
        }

        return text.Normalize();
    }

    private static string CleanReason(string reason)
    {
        var text = new string([.. reason.Trim().Select(c => char.IsControl(c) ? ' ' : c)]);
        return text.Length > 500 ? text[..500] : text;
    }

    private static async Task<BookableResource> FindAsync(NodeDbContext db, ParsedAddress parsed, CancellationToken cancellationToken)
    {
        var domainId = (await DomainService.FindAsync(db, parsed.Domain, cancellationToken)).Id;
        var local = parsed.LocalPart;
        return await db.Resources.SingleOrDefaultAsync(r => r.DomainId == domainId && r.LocalPart == local, cancellationToken)
            ?? throw MailAdminException.NotFound("resource-not-found", $"There is no resource {parsed}. Check the address, or add it under Resources.");
    }

    /// <summary>Resources are administered on their home server only (manual, chapter 8).</summary>
    private static void EnsureHome(BookableResource resource, ParsedAddress address)
    {
        if (resource.HomeServer is { } home)
        {
            throw MailAdminException.Conflict("not-home-server",
                $"{address} belongs to the server {home} of the distributed domain: change it, and answer its bookings, in {home}'s administration console (manual, chapter 8).");
        }
    }

    private ResourceInfo ToInfo(BookableResource r, string domainAscii) =>
        new($"{r.LocalPart}@{domainAscii}", r.Name, r.Type, r.Capacity, r.Location, r.Description, r.Policy, r.Manager, r.HomeServer ?? node.Name, r.HomeServer is null);

    private static ParsedAddress ParseAddress(string? address) =>
        MailAddresses.TryParse(address, out var parsed)
            ? parsed
            : throw MailAdminException.Invalid("invalid-address", $"'{Shorten(address)}' is not an e-mail address.");

    private static ParsedAddress ParseInDomain(string? address, string domainAscii)
    {
        var value = address?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            throw MailAdminException.Invalid("invalid-address", "Give the resource an address, e.g. room-201 (the domain is added).");
        }

        var parsed = ParseAddress(value.Contains('@', StringComparison.Ordinal) ? value : $"{value}@{domainAscii}");
        if (parsed.Domain != domainAscii)
        {
            throw MailAdminException.Invalid("wrong-domain", $"{parsed} is not in {DomainNames.ToUnicode(domainAscii)}.");
        }

        if (parsed.LocalPart.Length > 64)
        {
            throw MailAdminException.Invalid("invalid-address", "The part before @ is at most 64 characters long.");
        }

        return parsed;
    }

    private static string Shorten(string? value) => value is null ? string.Empty : value.Length > 80 ? value[..80] : value;
}
