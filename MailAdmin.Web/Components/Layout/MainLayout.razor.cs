using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace MailAdmin.Web.Components.Layout;

/// <summary>The console's shell: app bar with the node's name and role, the menu, and a theme that follows the browser.</summary>
public sealed partial class MainLayout : IDisposable
{
    private MudThemeProvider? _themeProvider;
    private ErrorBoundary? _errorBoundary;
    private bool _drawerOpen = true;
    private bool _darkMode;
    private bool _interactive;

    [Inject]
    private NodeInfoService Node { get; set; } = default!;

    [Inject]
    private MailAdmin.Core.Distribution.ClusterState Cluster { get; set; } = default!;

    private string RoleLabel => Node.Role switch
    {
        NodeRole.Master => "Master",
        NodeRole.Slave => "Slave",
        _ => "Standalone",
    };

    private static string AdminRoleLabel(System.Security.Claims.ClaimsPrincipal user) =>
        user.ToAdmin() is { } admin
            ? admin.Role.DisplayName() + (admin.Domain is { } domain ? $" ({domain})" : string.Empty)
            : string.Empty;

    protected override void OnInitialized() => Cluster.RoleChanged += OnRoleChanged;

    protected override void OnParametersSet() => _errorBoundary?.Recover();

    public void Dispose() => Cluster.RoleChanged -= OnRoleChanged;

    // Another server joining or leaving changes this node's role without anyone navigating here.
    private void OnRoleChanged(object? sender, EventArgs e) => _ = InvokeAsync(StateHasChanged);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || _themeProvider is null)
        {
            return;
        }

        _darkMode = await _themeProvider.GetSystemDarkModeAsync();
        await _themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChangedAsync);
        _interactive = true;
        StateHasChanged();
    }

    private Task OnSystemDarkModeChangedAsync(bool dark)
    {
        _darkMode = dark;
        return InvokeAsync(StateHasChanged);
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;
}
