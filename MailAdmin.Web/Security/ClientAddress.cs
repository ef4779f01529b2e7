using System.Net;

namespace MailAdmin.Web.Security;

/// <summary>The address a request came from, as the audit log and the lockout know it.</summary>
public static class ClientAddress
{
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The signed-in administrator and the address they call from: who every Core call acts for.</summary>
    public static MailAdmin.Core.Accounts.Actor ActorOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(context.User.RequireAdmin(), Of(context));
    }

    public static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);
}
