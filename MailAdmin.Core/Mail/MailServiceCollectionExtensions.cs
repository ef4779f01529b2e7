using MailAdmin.Core.Mail.Delivery;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Mail.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailAdmin.Core.Mail;

public static class MailServiceCollectionExtensions
{
    /// <summary>
    /// The mail engine: queue, routing, local and remote delivery. Its hosted services start
    /// in order (the queue before anything that feeds it, delivery last) and stop the other
    /// way round, so the queue commits what the listeners accepted before it closes.
    /// </summary>
    public static IServiceCollection AddMailEngine(this IServiceCollection services)
    {
        // Where the listeners are bound: also what a node tells its peers, so known even without listeners.
        services.TryAddSingleton<SmtpEndpoints>();
        services.AddSingleton<MailQueue>();
        services.AddSingleton<IMessageSpool>(sp => sp.GetRequiredService<MailQueue>());
        services.AddSingleton<RecipientDirectory>();
        services.AddSingleton<NextHopRouter>();
        services.AddSingleton<MailboxMigration.MailboxHolds>();

        // Until the distributed domain's validator is bound here, the engine's own check; it
        // asks for the node's cluster identity only when a peer presents a certificate.
        services.TryAddSingleton<IPeerCertificateCheck, ClusterPeerCertificateCheck>();
        services.AddSingleton<IRecipientPolicy, LocalRecipientPolicy>();
        services.AddSingleton<ISmtpAuthenticator, SubmissionAuthenticator>();
        services.AddSingleton<DirectorySyncGroup>();
        services.AddSingleton<MaildirStore>();
        services.AddSingleton<IRemoteTransport, SmtpRemoteTransport>();
        services.AddSingleton<IPeerTransport, SmtpPeerTransport>();
        services.AddSingleton<DeliveryAgent>();
        services.AddSingleton<QueueService>();
        return services;
    }

    /// <summary>Starts the queue (first) ...</summary>
    public static IServiceCollection AddMailQueueService(this IServiceCollection services) =>
        services.AddHostedService(sp => sp.GetRequiredService<MailQueue>());

    /// <summary>... and delivery (after the listeners).</summary>
    public static IServiceCollection AddDeliveryService(this IServiceCollection services) =>
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryAgent>());
}
