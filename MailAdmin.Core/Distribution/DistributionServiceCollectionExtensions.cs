using MailAdmin.Core.Distribution.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.Distribution;

public static class DistributionServiceCollectionExtensions
{
    /// <summary>The distributed domain: the node's standing, its peers, joining and leaving, replication.</summary>
    public static IServiceCollection AddDistribution(this IServiceCollection services)
    {
        services.AddSingleton<ClusterState>();
        services.AddSingleton<IClusterTopology>(sp => sp.GetRequiredService<ClusterState>());
        services.AddSingleton<IPeerRegistry>(sp => sp.GetRequiredService<ClusterState>());
        services.AddSingleton<LocalEndpoints>();
        services.AddSingleton<ClusterStore>();
        services.AddSingleton<OwnDocument>();
        services.AddSingleton<DocumentApplier>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<Replication>();
        services.AddSingleton<ClusterService>();
        services.AddSingleton<JoinService>();
        services.AddSingleton<PeerService>();
        services.AddSingleton<PeerAdministrators>();
        services.AddSingleton<AdministrationService>();
        services.AddSingleton<Accounts.IHomeServerAdministration, HomeServerAdministration>();
        services.AddSingleton<MailboxMigration.MigrationService>();
        services.AddSingleton<MailboxMigration.MigrationReports>();
        services.AddSingleton<MailboxMigration.MigrationRunner>();
        services.AddSingleton<MailboxMigration.MigrationSourceService>();
        services.AddSingleton<MailboxMigration.FolderRemovals>();
        services.AddPeerTrust();
        return services;
    }

    /// <summary>Replication runs once the node listens (its ports are what peers are told).</summary>
    public static IServiceCollection AddReplicationService(this IServiceCollection services)
    {
        services.AddHostedService(sp => sp.GetRequiredService<Replication>());
        return services.AddHostedService(sp => sp.GetRequiredService<MailboxMigration.MigrationRunner>());
    }
}
