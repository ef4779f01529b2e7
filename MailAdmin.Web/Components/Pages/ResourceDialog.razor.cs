using MailAdmin.Core.Scheduling.Resources;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>Adds a room or equipment homed on this server, or changes one (its address stays).</summary>
public sealed partial class ResourceDialog : FormDialog
{
    private string? _address;
    private string? _name;
    private ResourceType _type = ResourceType.Room;
    private int? _capacity;
    private string? _location;
    private string? _description;
    private BookingPolicy _policy = BookingPolicy.AutoAccept;
    private string? _manager;

    /// <summary>The domain (ASCII form).</summary>
    [Parameter]
    public string Domain { get; set; } = string.Empty;

    /// <summary>The resource being changed; null to add one.</summary>
    [Parameter]
    public ResourceInfo? Existing { get; set; }

    [Inject]
    private ResourceService Service { get; set; } = default!;

    protected override void OnInitialized()
    {
        if (Existing is { } r)
        {
            _name = r.Name;
            _type = r.Type;
            _capacity = r.Capacity;
            _location = r.Location;
            _description = r.Description;
            _policy = r.Policy;
            _manager = r.Manager;
        }
    }

    protected override async Task<object> SubmitAsync()
    {
        // Empty strings, not nulls: a field cleared in the form is cleared on the resource.
        var input = new ResourceInput(_address?.Trim(), _name ?? string.Empty, _type, _capacity ?? 0, _location ?? string.Empty, _description ?? string.Empty, _policy, _manager ?? string.Empty);
        return Existing is { } existing
            ? await Service.UpdateAsync(Actor, existing.Address, input with { Address = null }, CancellationToken.None)
            : await Service.CreateAsync(Actor, Domain, input, CancellationToken.None);
    }
}
