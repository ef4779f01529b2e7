using MailAdmin.Core.Accounts;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>Changes a local user's name, password and enabled state; directory users are changed in the directory.</summary>
public sealed partial class EditLocalUserDialog : FormDialog
{
    private string? _name;
    private string? _password;
    private bool _enabled;

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

    protected override async Task<object> SubmitAsync()
    {
        var password = string.IsNullOrEmpty(_password) ? null : _password;
        var updated = await Users.UpdateAsync(Actor, User.Address, new UserChanges(_name ?? string.Empty, password, _enabled), forwardToHome: true, CancellationToken.None);
        return updated;
    }
}
