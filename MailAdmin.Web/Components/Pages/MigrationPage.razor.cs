using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The mailboxes moving to this server and those that moved (manual, chapter 10), live: each
/// change a job publishes replaces its row, and a finished job is read back as it was saved.
/// </summary>
public sealed partial class MigrationPage : IDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _canceling = new(StringComparer.Ordinal);

    // Replaced whole, never changed in place: events on other threads swap a row while the renderer enumerates.
    private volatile IReadOnlyList<MigrationInfo>? _jobs;
    private AdminPrincipal? _admin;
    private RenderThrottle? _renders;

    [Inject]
    private MigrationService Migrations { get; set; } = default!;

    [Inject]
    private NodeOptions Node { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _admin = await GetAdminAsync();
        _renders = new RenderThrottle(Clock, () => InvokeAsync(StateHasChanged));
        Migrations.Changed += OnChanged;
        Migrations.Finished += OnFinished;
        await LoadAsync();
    }

    public void Dispose()
    {
        Migrations.Changed -= OnChanged;
        Migrations.Finished -= OnFinished;
        _renders?.Dispose();
    }

    private async Task LoadAsync()
    {
        var jobs = await Migrations.ListAsync(await GetAdminAsync(), CancellationToken.None);
        lock (_lock)
        {
            _jobs = jobs;
        }
    }

    // Raised on the migration's thread: the row is replaced at once, the page renders at most 4 times a second.
    private void OnChanged(object? sender, MigrationInfo job)
    {
        bool known;
        lock (_lock)
        {
            if (_jobs is null)
            {
                return;
            }

            known = _jobs.Any(j => j.Id == job.Id);
            if (known)
            {
                _jobs = [.. _jobs.Select(j => j.Id == job.Id ? job : j)];
            }
        }

        if (known)
        {
            _renders?.Request();
        }
        else if (_admin is not null && MigrationChoices.CanView(_admin, job))
        {
            // A job started since the page loaded (here, on another page or over the API).
            _ = InvokeAsync(RefreshAsync);
        }
    }

    private void OnFinished(object? sender, MigrationInfo job) => _ = InvokeAsync(RefreshAsync);

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task CancelAsync(MigrationInfo job)
    {
        _canceling.Add(job.Id);
        try
        {
            await Migrations.CancelAsync(await GetActorAsync(), job.Id, CancellationToken.None);
            Snackbar.Add($"The migration of {job.User} is being canceled; the mailbox stays on {job.Source}.", Severity.Info);
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            _canceling.Remove(job.Id);
        }

        await LoadAsync();
    }
}
