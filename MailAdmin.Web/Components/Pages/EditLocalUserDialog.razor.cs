using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>Changes a local user's name, password and enabled state; directory users are changed in the directory.</summary>
public sealed partial class EditLocalUserDialog
{
    private MudForm? _form;
    private bool _valid;
    private bool _saving;
    private string? _name;
    private string? _password;
    private bool _enabled;
    private string? _error;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>Who changes the user, for the checks and the audit log.</summary>
    [Parameter]
    public Actor Actor { get; set; } = default!;

    [Parameter]
    public UserInfo User { get; set; } = default!;

    [Inject]
    private UserService Users { get; set; } = default!;

    protected override void OnInitialized()
    {
        _name = User.Name;
        _enabled = User.Enabled;
    }

    private static string? CheckPassword(string value) => string.IsNullOrEmpty(value) ? null : PasswordRules.Check(value);

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
            var password = string.IsNullOrEmpty(_password) ? null : _password;
            var updated = await Users.UpdateLocalAsync(Actor, User.Address, _name ?? string.Empty, password, _enabled, CancellationToken.None);
            Dialog.Close(DialogResult.Ok(updated));
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
