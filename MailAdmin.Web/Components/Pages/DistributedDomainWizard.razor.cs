using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>What the wizard closes with when this server has joined.</summary>
public sealed record DistributedDomainJoined(string Domain, string MasterHost);

/// <summary>
/// Add → Distributed Domain (manual, section 5.1): an introduction, the master and an administrator
/// of it, then the master's fingerprint and the domain to distribute. Only the wizard's buttons move
/// between pages: Next asks the master what it can distribute, Finish joins. A refusal is shown on
/// the page whose answers it concerns, so a wrong address or password sends the administrator back
/// to the master's page.
/// </summary>
public sealed partial class DistributedDomainWizard : IDisposable
{
    public const int IntroductionStep = 0;
    public const int MasterStep = 1;
    public const int DomainStep = 2;

    /// <summary>Refusals about the master or the credentials: the master's page is where they are fixed.</summary>
    private static readonly HashSet<string> MasterCodes =
    [
        "self-connect", "connect-to-slave", "inaccessible-host", "invalid-credentials", "incompatible-version",
        "invalid-master-host", "invalid-username", "invalid-password",
    ];

    private readonly CancellationTokenSource _closing = new();
    private bool _closed;
    private MudForm? _form;
    private bool _valid;
    private int _step;
    private bool _busy;
    private string? _busyText;
    private MailAdminException? _refusal;
    private string? _masterHost;
    private string? _username;
    private string? _password;
    private DistributableInfo? _distributable;
    private string? _domain;

    /// <summary>Who is acting: Core checks their right to manage the cluster and records the join.</summary>
    [Parameter]
    [EditorRequired]
    public Actor Actor { get; set; } = default!;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private ClusterService Cluster { get; set; } = default!;

    /// <summary>The wizard page on which a refusal with this code is shown.</summary>
    public static int StepOf(string code) => MasterCodes.Contains(code) ? MasterStep : DomainStep;

    public void Dispose()
    {
        _closed = true;
        _closing.Cancel();
        _closing.Dispose();
    }

    // The stepper's own headers do not navigate: every move goes through Next, Back and Finish.
    private static Task KeepStepAsync(StepperInteractionEventArgs args)
    {
        args.Cancel = true;
        return Task.CompletedTask;
    }

    private void Cancel() => Dialog.Cancel();

    private void Back()
    {
        _refusal = null;
        _step = Math.Max(IntroductionStep, _step - 1);
    }

    private void DomainChanged(string? domain) => _domain = domain;

    private async Task NextAsync()
    {
        _refusal = null;
        if (_step == IntroductionStep)
        {
            _step = MasterStep;
            return;
        }

        if (_form is not null)
        {
            await _form.ValidateAsync();
        }

        if (!_valid)
        {
            return;
        }

        DistributableInfo? info = null;
        if (await RunAsync("Contacting the master…", async () =>
                info = await Cluster.DistributableAsync(Actor, _masterHost!.Trim(), _username!.Trim(), _password!, _closing.Token)))
        {
            _distributable = info;
            _domain = info!.Domains.Count == 1 ? info.Domains[0] : info.Domains.FirstOrDefault(d => d == _domain);
            _step = DomainStep;
        }
    }

    private async Task FinishAsync()
    {
        if (_distributable is null || _domain is null)
        {
            return;
        }

        _refusal = null;
        var input = new ConnectInput(_masterHost!.Trim(), _username!.Trim(), _password!, _domain, _distributable.Fingerprint);

        // Not canceled when the dialog goes away: a join stopped half-way would leave more to clean up than one that ends.
        if (await RunAsync("Connecting to the master and copying the domain…", () => Cluster.ConnectAsync(Actor, input, CancellationToken.None)))
        {
            Dialog.Close(DialogResult.Ok(new DistributedDomainJoined(_domain, input.MasterHost)));
        }
    }

    /// <summary>Runs a call to the master with the buttons disabled; a refusal is kept and shown on its page.</summary>
    private async Task<bool> RunAsync(string busyText, Func<Task> call)
    {
        _busy = true;
        _busyText = busyText;
        StateHasChanged();
        try
        {
            await call();
            return true;
        }
        catch (MailAdminException e)
        {
            _refusal = e;
            if (e.Code == "invalid-credentials")
            {
                _password = null;
            }

            _step = StepOf(e.Code) == MasterStep ? MasterStep : _step;
            return false;
        }
        catch (OperationCanceledException) when (_closed)
        {
            // The dialog went away (the administrator navigated elsewhere) while the master was asked.
            return false;
        }
        finally
        {
            _busy = false;
        }
    }
}
