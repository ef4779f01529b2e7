using MailAdmin.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MailAdmin.Web.Security;

/// <summary>Issues and ends the authentication cookie shared by the console and the API.</summary>
public static class ConsoleSession
{
    public static Task SignInAsync(HttpContext context, SignedIn signedIn) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AdminClaims.ToClaims(signedIn),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });

    public static Task SignOutAsync(HttpContext context) =>
        context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
}
