using MailAdmin.Core.Distribution.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.Distribution;

public static class DistributionServiceCollectionExtensions
{
    /// <summary>The distributed domain: the node's standing, its peers, joining and leaving.</summary>
    public static IServiceCollection AddDistribution(this IServiceCollection services)
    {
        services.AddSingleton<ClusterState>();
        services.AddSingleton<IClusterTopology>(sp => sp.GetRequiredService<ClusterState>());
        services.AddSingleton<IPeerRegistry>(sp => sp.GetRequiredService<ClusterState>());
        services.AddSingleton<ClusterService>();
        services.AddSingleton<JoinService>();
        services.AddSingleton<PeerService>();
        services.AddPeerTrust();
        return services;
    }
}
