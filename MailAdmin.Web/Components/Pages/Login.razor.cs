using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Web.Api;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// The sign-in form. A static server-rendered form (not an interactive
/// circuit), because only a plain HTTP response can set the cookie.
/// </summary>
public sealed partial class Login
{
    private string? _message;
    private Severity _severity = Severity.Error;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private AdministratorService Administrators { get; set; } = default!;

    [Inject]
    private NodeInfoService Node { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    // The form's fields are named after the bound expression (Input.Username), so the posted model is named "Input" too.
    [SupplyParameterFromForm(FormName = "login", Name = "Input")]
    private LoginInput? Posted { get; set; }

    private LoginInput Input => Posted ??= new LoginInput();

    [SupplyParameterFromQuery(Name = "returnUrl")]
    private string? QueryReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "changed")]
    private bool PasswordChanged { get; set; }

    protected override void OnInitialized()
    {
        Input.ReturnUrl ??= QueryReturnUrl;
        if (HttpMethods.IsGet(HttpContext.Request.Method) && PasswordChanged)
        {
            _severity = Severity.Success;
            _message = "Your password was changed. Sign in with the new one.";
        }
    }

    private async Task SignInAsync()
    {
        SignedIn signedIn;
        try
        {
            signedIn = await Administrators.SignInAsync(Input.Username, Input.Password, ClientAddress.Of(HttpContext), HttpContext.RequestAborted);
        }
        catch (MailAdminException e) when (e.Kind is ErrorKind.Unauthenticated or ErrorKind.TooManyRequests or ErrorKind.Unavailable)
        {
            HttpContext.Response.StatusCode = ApiProblems.StatusOf(e.Kind);
            _severity = Severity.Error;
            _message = e.Message;
            Input.Password = null;
            return;
        }

        await ConsoleSession.SignInAsync(HttpContext, signedIn);
        Navigation.NavigateTo(SafeReturnUrl(Input.ReturnUrl), forceLoad: true);
    }

    /// <summary>Only a path on this node: never an absolute or protocol-relative URL (open redirect).</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.StartsWith("/\\", StringComparison.Ordinal) && !url.StartsWith("/login", StringComparison.OrdinalIgnoreCase)
            && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/";

    internal sealed class LoginInput
    {
        public string? Username { get; set; }

        public string? Password { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
