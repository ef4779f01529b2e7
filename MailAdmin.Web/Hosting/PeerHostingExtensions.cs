using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.AspNetCore.Server;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Trust;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// The peer port: gRPC over HTTP/2 and TLS on <c>Cluster:Port</c>, beside the console's
/// <c>--urls</c>. TLS presents the node's cluster certificate (the current one, so a join or a
/// leave needs no restart) and asks every caller for a certificate; whether the caller may make
/// a call is decided per call by <see cref="PeerAuthInterceptor"/>. The peer port serves the
/// peer services only, and the console's ports never serve them.
/// </summary>
public static class PeerHostingExtensions
{
    public static WebApplicationBuilder AddPeerPort(this WebApplicationBuilder builder, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var cluster = settings.Cluster;
        CheckFree(cluster);

        builder.Services.AddSingleton<PeerEndpoint>();
        builder.Services.AddSingleton<PeerAuthInterceptor>();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<PeerAuthInterceptor>();
            options.MaxReceiveMessageSize = PeerChannels.MaxMessageSize;
            options.MaxSendMessageSize = PeerChannels.MaxMessageSize;
        });

        // Kestrel ignores --urls once code defines an endpoint (and warns that it does so): the
        // console's addresses are bound here the way Kestrel would bind them, before the peer port.
        // ";" is a list of no addresses; an empty value would make the host fall back to --urls.
        var consoleUrls = ConsoleUrls(builder.Configuration);
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, ";");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.Empty);
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, string.Empty);
        builder.WebHost.ConfigureKestrel(options =>
        {
            foreach (var url in consoleUrls)
            {
                ListenConsole(options, url);
            }

            ListenPeer(options, cluster);
        });
        return builder;
    }

    /// <summary>Keeps each port to its own: the console's pages, API and health on the console's, gRPC on the peer port.</summary>
    public static WebApplication UsePeerPort(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var endpoint = app.Services.GetRequiredService<PeerEndpoint>();
        app.Use((context, next) =>
        {
            var onPeerPort = endpoint.Serves(context.Connection);
            var peerService = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
            if (onPeerPort == peerService)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.MapGrpcService<JoinService>();
        app.MapGrpcService<PeerService>();
        app.MapGrpcService<AdministrationService>();
        app.MapGrpcService<MailAdmin.Core.MailboxMigration.MigrationSourceService>();
        app.MapGrpcService<MailAdmin.Core.Scheduling.CalendarPeerService>();
        return app;
    }

    private static void ListenPeer(KestrelServerOptions options, ClusterOptions cluster)
    {
        var identity = options.ApplicationServices.GetRequiredService<IClusterIdentity>();
        var endpoint = options.ApplicationServices.GetRequiredService<PeerEndpoint>();

        // Made or read now rather than at the first handshake: a damaged identity stops the node at start.
        _ = identity.Certificate;
        options.Listen(cluster.ListenAddress, cluster.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => identity.Certificate,

                // Asked of every caller; a caller without one reaches the interceptor, which refuses
                // the call with a reason both sides can read instead of a dropped handshake.
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,

                // A joining node presents a certificate of its own CA: the interceptor decides.
                ClientCertificateValidation = (_, _, _) => true,
            });
            endpoint.Attach(listen);
        });
    }

    /// <summary>The console's addresses as Kestrel reads them: <c>urls</c>, else <c>http_ports</c> and <c>https_ports</c>, else its default.</summary>
    private static List<string> ConsoleUrls(ConfigurationManager configuration)
    {
        if (configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        static IEnumerable<string> Ports(string? ports, string scheme) =>
            (ports ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://*:{port}");
        List<string> fromPorts = [.. Ports(configuration[WebHostDefaults.HttpPortsKey], "http"), .. Ports(configuration[WebHostDefaults.HttpsPortsKey], "https")];
        return fromPorts.Count > 0 ? fromPorts : ["http://localhost:5000"];
    }

    private static void ListenConsole(KestrelServerOptions options, string url)
    {
        var address = BindingAddress.Parse(url);
        Action<ListenOptions> configure = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase) ? listen => listen.UseHttps() : _ => { };
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            options.ListenLocalhost(address.Port, configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            options.Listen(ip, address.Port, configure);
        }
        else
        {
            // *, + and host names: every interface, as Kestrel does.
            options.ListenAnyIP(address.Port, configure);
        }
    }

    /// <summary>A taken peer port stops the node with a line that names Cluster:Port, not a host stack trace.</summary>
    private static void CheckFree(ClusterOptions cluster)
    {
        if (cluster.Port == 0)
        {
            return;
        }

        try
        {
            using var socket = new Socket(cluster.ListenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(cluster.ListenAddress, cluster.Port));
        }
        catch (SocketException e)
        {
            var next = (cluster.Port % IPEndPoint.MaxPort + 1).ToString(CultureInfo.InvariantCulture);
            throw new InvalidSettingException("Cluster:Port", $"cannot listen on {cluster.ListenAddress}:{cluster.Port} ({e.Message.TrimEnd('.')}). Choose a free port, for example --Cluster:Port={next}.");
        }
    }
}
