using System.Security.Claims;
using MailAdmin.Core.Accounts;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace MailAdmin.Web.Security;

/// <summary>
/// A console circuit outlives the request that opened it: re-check the
/// account every minute, so a changed password or revoked role closes open
/// consoles too.
/// </summary>
internal sealed class RevalidatingAdminStateProvider(ILoggerFactory loggerFactory, AdministratorService administrators)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = user.FindFirstValue(AdminClaims.Stamp);
        if (id is null || stamp is null)
        {
            return false;
        }

        var current = await administrators.ValidateSessionAsync(id, stamp, cancellationToken);
        return current is not null && current == user.ToAdmin();
    }
}
