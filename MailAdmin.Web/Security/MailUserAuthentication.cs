using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace MailAdmin.Web.Security;

/// <summary>
/// Users of the domain (not administrators) reading what is theirs to read, the Global
/// Address List and free/busy, with their mail password over HTTP Basic (RFC 7617), as
/// address book and calendar clients send it. The password is checked exactly as at SMTP
/// submission: a local user's hash or a bind to the directory, the same lockout, the
/// licence and the migration hold. Basic is accepted over TLS, or from this machine only.
/// </summary>
public sealed class MailUserAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ISmtpAuthenticator users,
    NodeOptions node) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "MailUser";

    /// <summary>The claim that holds the signed-in user's primary address.</summary>
    public const string AddressClaim = "mailadmin:mail-user";

    /// <summary>An authenticated HTTP endpoint readable by users of the domain: Basic first (it only adds a header), then the console's cookie.</summary>
    public static readonly string[] Schemes = [SchemeName, CookieAuthenticationDefaults.AuthenticationScheme];

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var remote = Context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (!Request.IsHttps && !IPAddress.IsLoopback(remote))
        {
            return AuthenticateResult.Fail("HTTP Basic sends the password readable: use https.");
        }

        string userName, password;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return AuthenticateResult.Fail("The Authorization header is not user:password in Base64.");
            }

            (userName, password) = (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("The Authorization header is not user:password in Base64.");
        }

        var result = await users.AuthenticateAsync(userName, password, new SmtpClientInfo(remote, null, SmtpPort.Submission, Request.IsHttps, null), Context.RequestAborted);
        if (result.Address is not { } address)
        {
            return AuthenticateResult.Fail(result.Refusal?.Text ?? "The user name or password is wrong.");
        }

        var identity = new ClaimsIdentity([new Claim(AddressClaim, address), new Claim(ClaimTypes.Name, address)], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Basic realm=\"MailAdmin {node.Name}\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}

public static class MailUserClaims
{
    /// <summary>The signed-in mail user's address, or null for an administrator's session or anyone else.</summary>
    public static string? ToMailUser(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true ? user.FindFirstValue(MailUserAuthenticationHandler.AddressClaim) : null;
    }
}
