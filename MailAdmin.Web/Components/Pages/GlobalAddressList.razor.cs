using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The Global Address List of a domain (manual, chapters 1 and 8): what clients read over
/// CardDAV, vCard and the API, searchable and paged by Core.
/// </summary>
public sealed partial class GlobalAddressList
{
    private MudDataGrid<GalEntry>? _grid;
    private IReadOnlyList<DomainInfo>? _domains;
    private string? _domain;
    private string? _search;
    private int? _total;

    /// <summary>The domain to show first, as other pages link to it.</summary>
    [SupplyParameterFromQuery(Name = "domain")]
    public string? InitialDomain { get; set; }

    [Inject]
    private GalService Gal { get; set; } = default!;

    [Inject]
    private DomainService Domains { get; set; } = default!;

    private string VCardUrl => $"api/v1/gal.vcf?domain={Uri.EscapeDataString(_domain ?? string.Empty)}";

    private string EmptyText => string.IsNullOrWhiteSpace(_search)
        ? "The list is empty. Users come from the domain's directory service: set one on the Domains page and sync it, or add local users on the Users page."
        : $"Nothing in the list matches \"{_search.Trim()}\". Search for part of a name or an address.";

    protected override async Task OnInitializedAsync()
    {
        _domains = await Domains.ListAsync(await GetAdminAsync(), CancellationToken.None);
        _domain = DomainChoice.Initial(_domains, InitialDomain);
    }

    private async Task<GridData<GalEntry>> LoadAsync(GridState<GalEntry> state, CancellationToken cancellationToken)
    {
        if (_domain is null)
        {
            return new GridData<GalEntry> { Items = [], TotalItems = 0 };
        }

        var page = await Gal.SearchAsync(await GetAdminAsync(), _domain, _search, state.Page + 1, state.PageSize, cancellationToken);
        _total = page.Total;
        return new GridData<GalEntry> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task DomainChangedAsync(string domain)
    {
        _domain = domain;
        await ReloadAsync();
    }

    private Task SearchChangedAsync(string search)
    {
        _search = search;
        return ReloadAsync();
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private static string Entries(int total) => total == 1 ? "1 entry" : $"{total:N0} entries";

    private static string KindLabel(string kind) => kind switch
    {
        GalKinds.Group => "Group",
        GalKinds.List => "Mailing list",
        GalKinds.Resource => "Resource",
        _ => "User",
    };

    private static string KindIcon(string kind) => kind switch
    {
        GalKinds.Group => Icons.Material.Filled.Groups,
        GalKinds.List => Icons.Material.Filled.ForwardToInbox,
        GalKinds.Resource => Icons.Material.Filled.MeetingRoom,
        _ => Icons.Material.Filled.Person,
    };
}
