using System.Globalization;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Mail.Queue;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class MailQueuePage
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private IReadOnlyList<QueuedMessage>? _messages;
    private bool _canManage;
    private string? _scope;
    private ITimer? _timer;

    private enum QueueAction
    {
        Retry,
        Hold,
        Release,
        Delete,
    }

    [Inject]
    private QueueService Service { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    public void Dispose() => _timer?.Dispose();

    protected override async Task OnInitializedAsync()
    {
        var admin = await GetAdminAsync();
        _canManage = AccessPolicy.Allows(admin, Permission.ManageQueue);
        _scope = AccessPolicy.DomainScope(admin) is { } domain ? DomainNames.ToUnicode(domain) : null;
        await LoadAsync();
        _timer = Clock.CreateTimer(_ => _ = InvokeAsync(RefreshAsync), null, RefreshInterval, RefreshInterval);
    }

    private async Task LoadAsync() => _messages = Service.List(await GetAdminAsync());

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task ActAsync(QueuedMessage message, QueueAction action)
    {
        if (action == QueueAction.Delete)
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync("Delete message",
                $"Delete message {message.Id} from {message.Sender ?? "the mail system"}? It is not delivered and its sender is not told.",
                yesText: "Delete", cancelText: "Cancel");
            if (confirmed != true)
            {
                return;
            }
        }

        try
        {
            var actor = await GetActorAsync();
            switch (action)
            {
                case QueueAction.Retry:
                    await Service.RetryAsync(actor, message.Id, CancellationToken.None);
                    Snackbar.Add($"Message {message.Id} is being tried now.", Severity.Info);
                    break;
                case QueueAction.Hold:
                    await Service.HoldAsync(actor, message.Id, CancellationToken.None);
                    Snackbar.Add($"Message {message.Id} is held: it stays queued until you release it.", Severity.Success);
                    break;
                case QueueAction.Release:
                    await Service.ReleaseAsync(actor, message.Id, CancellationToken.None);
                    Snackbar.Add($"Message {message.Id} was released.", Severity.Success);
                    break;
                default:
                    await Service.DeleteAsync(actor, message.Id, CancellationToken.None);
                    Snackbar.Add($"Message {message.Id} was deleted.", Severity.Success);
                    break;
            }
        }
        catch (MailAdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }

    private static string StateLabel(QueuedRecipient recipient) => recipient.State switch
    {
        RecipientState.Pending when recipient.Attempts == 0 => "waiting",
        RecipientState.Pending => $"deferred ({recipient.Attempts} {(recipient.Attempts == 1 ? "attempt" : "attempts")})",
        RecipientState.Delivered => "delivered",
        RecipientState.Failed => "failed",
        _ => "expanded",
    };

    private static Color StateColor(QueuedRecipient recipient) => recipient.State switch
    {
        RecipientState.Delivered => Color.Success,
        RecipientState.Failed => Color.Error,
        RecipientState.Pending when recipient.Attempts > 0 => Color.Warning,
        _ => Color.Default,
    };

    private static string RecipientTooltip(QueuedRecipient recipient) =>
        recipient.LastError ?? recipient.RemoteReply ?? (recipient.Original is { } original ? $"Through {original}" : "Not tried yet");

    private static string SizeLabel(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.#} MB"),
    };

    private string AgeLabel(DateTimeOffset receivedAt) => Span(Clock.GetUtcNow() - receivedAt);

    private string NextAttemptLabel(QueuedMessage message)
    {
        if (message.Held)
        {
            return "held";
        }

        var next = message.Recipients.Where(r => r.State == RecipientState.Pending).Select(r => (DateTimeOffset?)r.NextAttempt).Min();
        if (next is null)
        {
            return "—";
        }

        var wait = next.Value - Clock.GetUtcNow();
        return wait <= TimeSpan.Zero ? "now" : "in " + Span(wait);
    }

    private static string Span(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)span.TotalSeconds)} s",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min",
        { TotalDays: < 1 } => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} d {span.Hours} h",
    };
}
