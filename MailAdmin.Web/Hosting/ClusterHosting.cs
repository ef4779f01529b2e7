using MailAdmin.Core.Distribution;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MailAdmin.Web.Hosting;

/// <summary>Tells the distributed domain's code where this node listens, once Kestrel has bound its ports.</summary>
public static class ClusterHosting
{
    public static WebApplication PublishLocalEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var endpoints = app.Services.GetRequiredService<LocalEndpoints>();
            var node = app.Services.GetRequiredService<NodeOptions>();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            endpoints.ConsoleUrl = ConsoleUrl(addresses, node.PublicHost, PeerPortOf(app));
            endpoints.PeerPort = PeerPortOf(app);
        });
        return app;
    }

    /// <summary>The console as other offices open it: the node's public host with the console's scheme and port.</summary>
    internal static string ConsoleUrl(IEnumerable<string> addresses, string publicHost, int peerPort)
    {
        var candidates = addresses
            .Select(a => Uri.TryCreate(a.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Where(u => u.Port != peerPort)
            .OrderByDescending(u => u.Scheme == Uri.UriSchemeHttps)
            .ToList();
        if (candidates.Count == 0)
        {
            return string.Empty;
        }

        var host = publicHost.Contains(':', StringComparison.Ordinal) ? $"[{publicHost}]" : publicHost;
        return new UriBuilder(candidates[0].Scheme, host, candidates[0].Port).Uri.ToString();
    }

    private static int PeerPortOf(WebApplication app) => app.Services.GetService<PeerEndpoint>()?.Port ?? 0;
}
