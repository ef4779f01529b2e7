using MailAdmin.Core.Accounts;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Pages;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace MailAdmin.Web.Components.Layout;

/// <summary>
/// The console's shell: app bar with the node's name, role and licence use, the menu, a theme that
/// follows the browser, and the report of each finished mailbox migration (manual §10.2), on whatever
/// page the administrator is.
/// </summary>
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

    [Inject]
    private MigrationService Migrations { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

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

    protected override void OnInitialized()
    {
        Cluster.RoleChanged += OnRoleChanged;
        Migrations.Finished += OnMigrationFinished;
    }

    protected override void OnParametersSet() => _errorBoundary?.Recover();

    public void Dispose()
    {
        Cluster.RoleChanged -= OnRoleChanged;
        Migrations.Finished -= OnMigrationFinished;
    }

    // Another server joining or leaving changes this node's role without anyone navigating here.
    private void OnRoleChanged(object? sender, EventArgs e) => _ = InvokeAsync(StateHasChanged);

    // Raised once per job, on the migration's thread.
    private void OnMigrationFinished(object? sender, MigrationInfo job) => _ = InvokeAsync(() => ReportAsync(job));

    /// <summary>The manual's report (result, time, size) to every administrator allowed to see the user.</summary>
    private async Task ReportAsync(MigrationInfo job)
    {
        if (AuthenticationState is null || (await AuthenticationState).User.ToAdmin() is not { } admin || !MigrationChoices.CanView(admin, job))
        {
            return;
        }

        var severity = MigrationText.ReportSeverity(job);
        Snackbar.Add(MigrationText.Report(job), severity, options =>
        {
            // A failure stays until read; a success goes by itself.
            options.RequireInteraction = severity != Severity.Success;
            options.SnackbarVariant = Variant.Filled;
        }, key: $"migration-{job.Id}");
    }

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
