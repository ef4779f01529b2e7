using MailAdmin.Core.Accounts;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace MailAdmin.Web.Components.Common;

/// <summary>
/// A console page: knows the signed-in administrator and the browser's
/// address, which every call to a Core service passes on for its checks
/// and the audit log.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [CascadingParameter(Name = "ClientAddress")]
    private string ClientAddress { get; set; } = "unknown";

    protected async Task<AdminPrincipal> GetAdminAsync() => (await AuthenticationState).User.RequireAdmin();

    protected async Task<Actor> GetActorAsync() => new(await GetAdminAsync(), ClientAddress);
}
