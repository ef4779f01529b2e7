using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailAdmin.Core.Distribution.Trust;

public static class PeerTrustServiceCollectionExtensions
{
    /// <summary>
    /// The node's cluster certificates, the rule that admits a peer, and clients of other
    /// nodes' peer ports. Needs <c>NodeOptions</c>, an <c>IPeerRegistry</c> and Data Protection
    /// (the host's <c>AddDataProtection()</c>, which decides where its keys live).
    /// </summary>
    public static IServiceCollection AddPeerTrust(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterIdentity>();
        services.AddSingleton<IClusterIdentity>(sp => sp.GetRequiredService<ClusterIdentity>());
        services.AddSingleton<PeerCertificateValidator>();
        services.AddSingleton<PeerChannels>();
        services.AddSingleton<IPeerChannels>(sp => sp.GetRequiredService<PeerChannels>());
        return services;
    }
}
