using MailAdmin.Core;
using MailAdmin.Core.CardDav;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Web.Api;
using MailAdmin.Web.CardDav;
using MailAdmin.Web.Components;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.DataProtection;
using MudBlazor.Services;

namespace MailAdmin.Web.Hosting;

/// <summary>Composes a node: Core services, security, the console and the API.</summary>
public static class MailAdminHostingExtensions
{
    public static WebApplicationBuilder AddMailAdmin(this WebApplicationBuilder builder, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var services = builder.Services;
        services.AddMailAdminCore(settings);
        // Hosted services start in this order: the initializer first, so what follows finds the schema and the node's role.
        services.AddHostedService<NodeInitializer>();
        services.AddMailQueueService();
        services.AddSmtpListeners();
        services.AddDeliveryService();
        services.AddReplicationService();
        services.AddHostedService<DirectorySyncWorker>();
        builder.AddPeerPort(settings);

        // Keys beside the node's data, so cookies survive restarts and nodes on one machine never share keys.
        services.AddDataProtection()
            .PersistKeysToFileSystem(KeyFolder.Prepare(settings.Node.KeysDir))
            .SetApplicationName("MailAdmin");

        services.AddConsoleSecurity(settings.Node);
        services.AddAdminApi();
        services.AddGlobalAddressBook();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        return builder;
    }

    public static WebApplication UseMailAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UsePeerPort();
        app.UseSecurityHeaders();
        app.UseAdminApiErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapHealthChecks("/healthz").AllowAnonymous();
        app.MapAdminApi();
        app.MapCardDav();
        app.MapFreeBusyEndpoints();
        app.MapConsoleAccount();
        // SecurityHeaders' policy already says frame-ancestors 'none'; Blazor would add a second, weaker one.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        app.PublishLocalEndpoints();
        return app;
    }
}
