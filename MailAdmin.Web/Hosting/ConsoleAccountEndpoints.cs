using MailAdmin.Core.Accounts;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Mvc;

namespace MailAdmin.Web.Hosting;

internal static class ConsoleAccountEndpoints
{
    /// <summary>The console's sign-out: a form post with an antiforgery token.</summary>
    public static WebApplication MapConsoleAccount(this WebApplication app)
    {
        app.MapPost("/logout", async (HttpContext context, AuditLog audit, [FromForm] string? reason) =>
        {
            if (context.User.ToAdmin() is { } admin)
            {
                await audit.RecordAsync(admin.Id, ClientAddress.Of(context), "session.logout", admin.Id, AuditLog.Success, context.RequestAborted);
            }

            await ConsoleSession.SignOutAsync(context);
            return Results.LocalRedirect("/login");
        })
        .AllowAnonymous()
        .ExcludeFromDescription();
        return app;
    }
}
