using MailAdmin.Core.Accounts;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>The server's licence (manual, chapter 3): seats, users counted, and who is beyond the seats.</summary>
public sealed partial class Licence
{
    private LicenceUsage? _usage;

    [Inject]
    private LicenceService Licences { get; set; } = default!;

    [Inject]
    private NodeOptions Node { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var admin = await GetAdminAsync();

        // The users beyond the seats are the licence's detail: the page asks for it as the API does.
        AccessPolicy.Demand(admin, Permission.ViewLicence);
        _usage = await Licences.GetDetailAsync(admin, CancellationToken.None);
    }
}
