using MailAdmin.Core.Scheduling;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

/// <summary>
/// The Internet free/busy URL that Outlook and Thunderbird take: <c>/freebusy/{address}</c>, also
/// with <c>.ifb</c> or <c>.vfb</c> after the address, answered with one VFREEBUSY.
/// </summary>
internal static class FreeBusyEndpoints
{
    public const string Prefix = "/freebusy";

    private static readonly string[] Suffixes = [".ifb", ".vfb"];

    public static WebApplication MapFreeBusyEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(Prefix + "/{address}", async (string address, string? start, string? end, string? days, HttpContext context, FreeBusyService freeBusy, TimeProvider clock) =>
            {
                var range = FreeBusyRange.FromQuery(start, end, days, clock.GetUtcNow());
                FreeBusyReader reader = context.User.ToMailUser() is { } user
                    ? new FreeBusyReader.User(user)
                    : new FreeBusyReader.Administrator(context.User.RequireAdmin());
                var answer = await freeBusy.ReadAsync(reader, WithoutSuffix(address), range, context.RequestAborted);
                context.Response.Headers.CacheControl = "private, no-store";
                return Results.Text(VFreeBusyWriter.Write(answer), VFreeBusyWriter.ContentType);
            })
            .RequireAuthorization(Policies.DomainReader)
            .WithSummary("Free/busy of a user of the domain as an iCalendar VFREEBUSY (RFC 5545) for users of the domain (HTTP Basic with their mail password) and administrators who see its users.");
        return app;
    }

    private static string WithoutSuffix(string address)
    {
        foreach (var suffix in Suffixes)
        {
            if (address.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return address[..^suffix.Length];
            }
        }

        return address;
    }
}
