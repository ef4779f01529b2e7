using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class AddLocalAdminDialog
{
    private MudForm? _form;
    private bool _valid;
    private bool _saving;
    private string? _name;
    private string? _password;
    private string? _domain;
    private AdminRole _role = AdminRole.ServerReadOnly;
    private string? _error;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>Who adds the administrator, for the checks and the audit log.</summary>
    [Parameter]
    public Actor Actor { get; set; } = default!;

    [Inject]
    private AdministratorService Administrators { get; set; } = default!;

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
            var domain = _role == AdminRole.DomainAdmin ? _domain : null;
            var added = await Administrators.CreateLocalAdminAsync(Actor, _name ?? string.Empty, _password ?? string.Empty, _role, domain, CancellationToken.None);
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
