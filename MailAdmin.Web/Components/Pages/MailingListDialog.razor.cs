using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>Adds a mailing list, or changes the members of <see cref="List"/>.</summary>
public sealed partial class MailingListDialog
{
    private static readonly char[] Separators = ['\n', '\r', ',', ';'];

    private MudForm? _form;
    private bool _valid;
    private bool _saving;
    private string? _address;
    private string? _members;
    private string? _error;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>Who saves the list, for the checks and the audit log.</summary>
    [Parameter]
    public Actor Actor { get; set; } = default!;

    /// <summary>The domain the list belongs to (ASCII form).</summary>
    [Parameter]
    public string Domain { get; set; } = string.Empty;

    /// <summary>The list whose members are edited; null to add a list.</summary>
    [Parameter]
    public MailingListInfo? List { get; set; }

    [Inject]
    private AddressBookService AddressBook { get; set; } = default!;

    protected override void OnInitialized() => _members = List is null ? null : string.Join('\n', List.Members);

    private void Cancel() => Dialog.Cancel();

    private async Task SaveAsync()
    {
        if (_form is not null)
        {
            await _form.ValidateAsync();
        }

        if (!_valid)
        {
            return;
        }

        _saving = true;
        _error = null;
        try
        {
            var members = (_members ?? string.Empty).Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var saved = List is null
                ? await AddressBook.CreateListAsync(Actor, Domain, _address?.Trim() ?? string.Empty, members, CancellationToken.None)
                : await AddressBook.UpdateListAsync(Actor, Domain, List.Address, members, CancellationToken.None);
            Dialog.Close(DialogResult.Ok(saved));
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
        }
        finally
        {
            _saving = false;
        }
    }
}
