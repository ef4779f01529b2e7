using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class ChangePassword
{
    private MudForm? _form;
    private bool _valid;
    private bool _saving;
    private string? _current;
    private string? _new;
    private string? _repeat;
    private string? _error;

    [Inject]
    private AdministratorService Administrators { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private static string? CheckNew(string value) => string.IsNullOrEmpty(value) ? null : PasswordRules.Check(value);

    private string? CheckRepeat(string value) => value == _new ? null : "The two new passwords differ.";

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
            await Administrators.ChangeOwnPasswordAsync(await GetActorAsync(), _current ?? string.Empty, _new ?? string.Empty, CancellationToken.None);
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
            return;
        }
        finally
        {
            _saving = false;
        }

        // The session's cookie carries the old stamp: sign in again with the new password.
        Navigation.NavigateTo("login?changed=true", forceLoad: true);
    }
}
