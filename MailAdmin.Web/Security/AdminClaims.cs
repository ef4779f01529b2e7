using System.Security.Claims;
using MailAdmin.Core.Accounts;

namespace MailAdmin.Web.Security;

/// <summary>How an <see cref="AdminPrincipal"/> travels in the authentication cookie.</summary>
public static class AdminClaims
{
    public const string Stamp = "mailadmin:stamp";
    public const string Domain = "mailadmin:domain";

    public static ClaimsPrincipal ToClaims(SignedIn signedIn)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        var principal = signedIn.Principal;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, principal.Id),
            new(ClaimTypes.Name, principal.DisplayName),
            new(ClaimTypes.Role, principal.Role.ToWire()),
            new(Stamp, signedIn.SecurityStamp),
        };
        if (principal.Domain is not null)
        {
            claims.Add(new Claim(Domain, principal.Domain));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "MailAdmin", ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The administrator behind a signed-in user, or null for anyone else.</summary>
    public static AdminPrincipal? ToAdmin(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true
            || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id
            || !AdminRoles.TryParse(user.FindFirstValue(ClaimTypes.Role), out var role))
        {
            return null;
        }

        return new AdminPrincipal(id, user.Identity.Name ?? id, role, user.FindFirstValue(Domain));
    }

    /// <summary>The signed-in administrator; only for code behind an authorization check.</summary>
    public static AdminPrincipal RequireAdmin(this ClaimsPrincipal user) =>
        user.ToAdmin() ?? throw new InvalidOperationException("This code runs only for a signed-in administrator.");
}
