using System.Security.Claims;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Api;
using MailAdmin.Web.CardDav;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace MailAdmin.Web.Security;

public static class ConsoleSecurityExtensions
{
    /// <summary>
    /// Cookie sign-in for the console and the API, one authorization policy
    /// per Core permission, and the Blazor authentication state. Cookie names
    /// carry the node's name: browsers share cookies between ports of one
    /// host, and several nodes may run on one machine.
    /// </summary>
    public static IServiceCollection AddConsoleSecurity(this IServiceCollection services, NodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(node);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = $"MailAdmin.{node.Name}";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.AccessDeniedPath = "/access-denied";
                options.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = context => ApiProblems.IsApi(context.Request)
                        ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "unauthenticated", "Sign in first: POST /api/v1/session with your user name and password.")
                        : CardDavEndpoints.IsCardDav(context.Request) ? Status(context, StatusCodes.Status401Unauthorized) : Redirect(context),
                    OnRedirectToAccessDenied = context => ApiProblems.IsApi(context.Request)
                        ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Your role does not allow this. Ask an administrator with whole-server read/write rights.")
                        : CardDavEndpoints.IsCardDav(context.Request) ? Status(context, StatusCodes.Status403Forbidden) : Redirect(context),
                    OnValidatePrincipal = ValidateSessionAsync,
                };
            })
            .AddScheme<AuthenticationSchemeOptions, MailUserAuthenticationHandler>(MailUserAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = $"MailAdmin.Antiforgery.{node.Name}";

            // SecurityHeaders sends X-Frame-Options: DENY on every response; a second, weaker value would contradict it.
            options.SuppressXFrameOptionsHeader = true;
        });

        services.AddAuthorization();
        services.AddPermissionPolicies();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAdminStateProvider>();
        return services;
    }

    /// <summary>Address book clients answer a 401 with their password (the Basic challenge is already set); a login page means nothing to them.</summary>
    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every request re-reads the account: a changed password or role, or a
    /// revoked administrator, ends the session at once.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var id = user?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = user?.FindFirstValue(AdminClaims.Stamp);
        var administrators = context.HttpContext.RequestServices.GetRequiredService<AdministratorService>();
        var current = id is null || stamp is null
            ? null
            : await administrators.ValidateSessionAsync(id, stamp, context.HttpContext.RequestAborted);
        if (current is null)
        {
            context.RejectPrincipal();
            await ConsoleSession.SignOutAsync(context.HttpContext);
            return;
        }

        if (current != user!.ToAdmin())
        {
            context.ReplacePrincipal(AdminClaims.ToClaims(new SignedIn(current, stamp!)));
            context.ShouldRenew = true;
        }
    }
}
