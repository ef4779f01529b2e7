using System.Security.Claims;
using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Web.Security;
using MudBlazor.Services;

namespace MailAdmin.Tests.Components;

/// <summary>
/// A bUnit context set up as the console runs pages: MudBlazor services,
/// loose JS interop, and a signed-in administrator whose claims are the ones
/// the authentication cookie carries (<see cref="AdminClaims"/>) and whose policies are the
/// permissions Core grants the role, as the console's <c>PermissionHandler</c> decides them.
/// </summary>
internal static class ConsoleTestContext
{
    public static BunitContext Create()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    /// <summary>Signs in <paramref name="name"/>; call before the first service is resolved.</summary>
    public static void SignIn(this BunitContext context, string name, AdminRole role, string? domain = null)
    {
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(name);
        authorization.SetRoles(role.ToWire());
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, AdminPrincipal.LocalId(name)) };
        if (domain is not null)
        {
            claims.Add(new Claim(AdminClaims.Domain, domain));
        }

        authorization.SetClaims([.. claims]);

        var principal = new AdminPrincipal(AdminPrincipal.LocalId(name), name, role, domain);
        authorization.SetPolicies([.. Enum.GetValues<Permission>().Where(p => AccessPolicy.Allows(principal, p)).Select(Policies.For)]);
    }
}
