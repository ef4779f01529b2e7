using System.Globalization;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// A domain's rooms and equipment (issue 8; manual, chapter 8), and the bookings of the one
/// selected: approved, declined or cancelled here on its home server, the organiser told by mail.
/// </summary>
public sealed partial class Resources
{
    private IReadOnlyList<DomainInfo>? _domains;
    private string? _domain;
    private IReadOnlyList<ResourceInfo>? _resources;
    private ResourceInfo? _selected;
    private IReadOnlyList<BookingInfo>? _bookings;
    private bool _canManage;
    private bool _answering;

    [SupplyParameterFromQuery(Name = "domain")]
    public string? InitialDomain { get; set; }

    [Inject]
    private ResourceService Service { get; set; } = default!;

    [Inject]
    private DomainService DomainService { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _domains = await DomainService.ListAsync(await GetAdminAsync(), CancellationToken.None);
        _domain = DomainChoice.Initial(_domains, InitialDomain);
        await LoadAsync();
    }

    private async Task DomainChangedAsync(string domain)
    {
        _domain = domain;
        _selected = null;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_domain is null)
        {
            return;
        }

        var admin = await GetAdminAsync();
        _canManage = AccessPolicy.Allows(admin, Permission.ManageUsers, _domain);
        _resources = await Service.ListAsync(admin, _domain, CancellationToken.None);
        _selected = _selected is { } selected ? _resources.FirstOrDefault(r => r.Address == selected.Address) : null;
        await LoadBookingsAsync();
    }

    private async Task RowClickedAsync(TableRowClickEventArgs<ResourceInfo> click)
    {
        _selected = click.Item;
        _bookings = null;
        await LoadBookingsAsync();
    }

    private async Task LoadBookingsAsync()
    {
        if (_selected is not { IsHere: true } resource)
        {
            _bookings = null;
            return;
        }

        try
        {
            _bookings = await Service.BookingsAsync(await GetAdminAsync(), resource.Address, CancellationToken.None);
        }
        catch (MailAdminException e)
        {
            _bookings = [];
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private string RowClass(ResourceInfo resource, int index) =>
        resource.Address == _selected?.Address ? "mud-selected-item cursor-pointer" : "cursor-pointer";

    private async Task AddAsync()
    {
        var parameters = new DialogParameters<ResourceDialog> { { d => d.Actor, await GetActorAsync() }, { d => d.Domain, _domain! } };
        var dialog = await Dialogs.ShowAsync<ResourceDialog>("Add resource", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: ResourceInfo added })
        {
            Snackbar.Add($"{added.Name} was added: people book it by inviting {added.Address} to a meeting.", Severity.Success);
            _selected = added;
            await LoadAsync();
        }
    }

    private async Task EditAsync(ResourceInfo resource)
    {
        var parameters = new DialogParameters<ResourceDialog>
        {
            { d => d.Actor, await GetActorAsync() },
            { d => d.Domain, _domain! },
            { d => d.Existing, resource },
        };
        var dialog = await Dialogs.ShowAsync<ResourceDialog>($"Edit {resource.Name}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: ResourceInfo saved })
        {
            Snackbar.Add($"{saved.Name} was saved.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task DeleteAsync(ResourceInfo resource)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete", $"Delete {resource.Name} ({resource.Address})? Mail to its address will be refused.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Service.DeleteAsync(await GetActorAsync(), resource.Address, CancellationToken.None);
            Snackbar.Add($"{resource.Name} was deleted.", Severity.Success);
            if (_selected?.Address == resource.Address)
            {
                _selected = null;
            }
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }

    private Task ApproveAsync(BookingInfo booking) =>
        AnswerAsync(booking, null, (actor, address) => Service.ApproveBookingAsync(actor, address, booking.Uid, CancellationToken.None), "approved");

    private async Task DeclineAsync(BookingInfo booking)
    {
        if (await AskReasonAsync("Decline the request", booking, "Decline") is { } reason)
        {
            await AnswerAsync(booking, reason, (actor, address) => Service.DeclineBookingAsync(actor, address, booking.Uid, reason, CancellationToken.None), "declined");
        }
    }

    private async Task CancelAsync(BookingInfo booking)
    {
        if (await AskReasonAsync("Cancel the booking", booking, "Cancel booking") is { } reason)
        {
            await AnswerAsync(booking, reason, (actor, address) => Service.CancelBookingAsync(actor, address, booking.Uid, reason, CancellationToken.None), "cancelled");
        }
    }

    /// <summary>The administrator's note for the organiser; null when they changed their mind.</summary>
    private async Task<string?> AskReasonAsync(string title, BookingInfo booking, string action)
    {
        var parameters = new DialogParameters<BookingReasonDialog>
        {
            { d => d.Meeting, $"{booking.Summary ?? "(no subject)"}, {When(booking)}" },
            { d => d.Organizer, booking.Organizer },
            { d => d.Action, action },
        };
        var dialog = await Dialogs.ShowAsync<BookingReasonDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        return await dialog.Result is { Canceled: false, Data: string reason } ? reason : null;
    }

    private async Task AnswerAsync(BookingInfo booking, string? reason, Func<Actor, string, Task> answer, string done)
    {
        _answering = true;
        try
        {
            await answer(await GetActorAsync(), _selected!.Address);
            Snackbar.Add($"\"{booking.Summary ?? "(no subject)"}\" was {done}; {booking.Organizer ?? "the organiser"} is told by mail.", Severity.Success);
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            _answering = false;
        }

        await LoadBookingsAsync();
    }

    internal static string When(BookingInfo booking)
    {
        var start = booking.StartsAt.UtcDateTime;
        var text = start.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        if (!booking.Recurring && booking.EndsAt is { } end)
        {
            text += end.UtcDateTime.Date == start.Date
                ? end.UtcDateTime.ToString("–HH:mm", CultureInfo.InvariantCulture)
                : end.UtcDateTime.ToString(" – ddd d MMM, HH:mm", CultureInfo.InvariantCulture);
        }
        else if (booking.Recurring)
        {
            text += booking.EndsAt is { } until ? $", until {until.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}" : ", no end";
        }

        return text;
    }

    private static string TypeLabel(ResourceType type) => type == ResourceType.Room ? "Room" : "Equipment";

    private static string TypeIcon(ResourceType type) => type == ResourceType.Room ? Icons.Material.Filled.MeetingRoom : Icons.Material.Filled.Devices;

    private static string PolicyLabel(ResourceInfo resource) => resource.Policy == BookingPolicy.AutoAccept
        ? "Accepted when free"
        : $"Approved by {resource.Manager}";

    private static string StatusLabel(BookingStatus status) => status switch
    {
        BookingStatus.Accepted => "Accepted",
        BookingStatus.Pending => "Awaiting approval",
        BookingStatus.Declined => "Declined",
        _ => "Cancelled by organiser",
    };

    private static Color StatusColor(BookingStatus status) => status switch
    {
        BookingStatus.Accepted => Color.Success,
        BookingStatus.Pending => Color.Warning,
        _ => Color.Default,
    };
}
