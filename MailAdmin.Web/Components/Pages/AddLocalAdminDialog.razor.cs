using MailAdmin.Core.Accounts;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class AddLocalAdminDialog : FormDialog
{
    private string? _name;
    private string? _password;
    private string? _domain;
    private AdminRole _role = AdminRole.ServerReadOnly;

    [Inject]
    private AdministratorService Administrators { get; set; } = default!;

    private static string? CheckPassword(string value) => string.IsNullOrEmpty(value) ? null : PasswordRules.Check(value);

    protected override async Task<object> SubmitAsync()
    {
        var domain = _role == AdminRole.DomainAdmin ? _domain : null;
        var added = await Administrators.CreateLocalAdminAsync(Actor, _name ?? string.Empty, _password ?? string.Empty, _role, domain, CancellationToken.None);
        return added;
    }
}
