using MailAdmin.Core.Accounts;
using MailAdmin.Core.Licensing;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace MailAdmin.Web.Components.Layout;

/// <summary>
/// The app bar's "used / seats", shown to every administrator and linking to the Licence page for
/// those who may see it. Counted again when the administrator moves to another page and every
/// 30 seconds, so users added or migrated elsewhere (another tab, the API, a directory sync) show.
/// </summary>
public sealed partial class LicenceIndicator : IAsyncDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private Task? _keepingCurrent;
    private LicenceUsage? _usage;
    private bool _canView;

    /// <summary>The page shown; a new one counts again.</summary>
    [Parameter]
    public string? Page { get; set; }

    [Inject]
    private LicenceService Licence { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override Task OnParametersSetAsync() => CountAsync(_stop.Token);

    protected override void OnAfterRender(bool firstRender)
    {
        // Only once interactive: a prerendered copy is thrown away and would never be disposed of.
        if (firstRender)
        {
            _keepingCurrent = KeepCurrentAsync(_stop.Token);
        }
    }

    private async Task KeepCurrentAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await CountAsync(cancellationToken);
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: the circuit is gone or the administrator signed out.
        }
        catch (Exception e)
        {
            // Nothing awaits this loop until the layout goes: hand the failure to the renderer, as a render's would be.
            await DispatchExceptionAsync(e);
        }
    }

    private async Task CountAsync(CancellationToken cancellationToken)
    {
        if (AuthenticationState is null || (await AuthenticationState).User.ToAdmin() is not { } admin)
        {
            _usage = null;
            return;
        }

        _canView = AccessPolicy.Allows(admin, Permission.ViewLicence);
        _usage = await Licence.GetUsageAsync(admin, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_keepingCurrent is not null)
        {
            await _keepingCurrent;
        }

        _stop.Dispose();
    }
}
