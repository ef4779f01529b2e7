using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class AddAliasDialog
{
    private MudForm? _form;
    private bool _valid;
    private bool _saving;
    private string? _alias;
    private string? _target;
    private string? _error;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>Who adds the alias, for the checks and the audit log.</summary>
    [Parameter]
    public Actor Actor { get; set; } = default!;

    /// <summary>The domain the alias belongs to (ASCII form).</summary>
    [Parameter]
    public string Domain { get; set; } = string.Empty;

    [Inject]
    private AddressBookService AddressBook { get; set; } = default!;

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
            var added = await AddressBook.CreateAliasAsync(Actor, Domain, _alias?.Trim() ?? string.Empty, _target?.Trim() ?? string.Empty, CancellationToken.None);
            Dialog.Close(DialogResult.Ok(added));
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
