using System.Globalization;
using System.Net;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Security;

namespace MailAdmin.Web.Api;

public sealed record ClusterServerResponse(
    string Name, string Host, bool IsMaster, bool IsLocal, string Status, IReadOnlyList<string> Errors, string DomainStatus, string ConsoleUrl);

public sealed record ClusterResponse(string Role, string? Master, IReadOnlyList<ClusterServerResponse> Servers)
{
    public static ClusterResponse From(ClusterInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(
            info.Role.ToString().ToLowerInvariant(),
            info.Master,
            [.. info.Servers.Select(s => new ClusterServerResponse(s.Name, s.Host, s.IsMaster, s.IsLocal, s.Status, s.Errors, s.DomainStatus, s.ConsoleUrl))]);
    }
}

public sealed record DistributableRequest(string? MasterHost, string? Username, string? Password);

public sealed record DistributableResponse(string Fingerprint, IReadOnlyList<string> Domains);

public sealed record ConnectRequest(string? MasterHost, string? Username, string? Password, string? Domain, string? Fingerprint);

public sealed record ConnectResponse(string Role);

public sealed record HomeServerResponse(string Address, string HomeServer, long Epoch);

/// <summary>
/// The checks a join's answers get before Core contacts anybody: every field present and the
/// master's address of the form <c>host</c> or <c>host:port</c>. The console's wizard asks the same.
/// </summary>
public static class ClusterRequests
{
    /// <summary>What is wrong with a master's address, or null when it has the right form.</summary>
    public static string? MasterHostProblem(string? masterHost)
    {
        if (string.IsNullOrWhiteSpace(masterHost))
        {
            return "Enter the master server's address: its DNS name, or host:port when its peer port is not 44337.";
        }

        return IsHostAndPort(masterHost.Trim())
            ? null
            : $"'{masterHost.Trim()}' is not a server address: enter a DNS name or an IP address, optionally followed by :port (1 to 65535).";
    }

    public static (string MasterHost, string Username, string Password) Validate(DistributableRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MasterHostProblem(request.MasterHost) is { } problem)
        {
            throw MailAdminException.Invalid("invalid-master-host", problem);
        }

        return (request.MasterHost!.Trim(), Required(request.Username, "username", "Enter the user name of an administrator of the master with whole-server read/write rights.").Trim(),
            Required(request.Password, "password", "Enter the password of the master's administrator."));
    }

    public static ConnectInput Validate(ConnectRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (host, username, password) = Validate(new DistributableRequest(request.MasterHost, request.Username, request.Password));
        var domain = Required(request.Domain, "domain", "Choose the domain to distribute: one of those POST /api/v1/cluster/distributable lists.");
        var fingerprint = Required(request.Fingerprint, "fingerprint",
            "Give the master's certificate fingerprint that POST /api/v1/cluster/distributable returned, after checking it with the master's administrator.");
        return new ConnectInput(host, username, password, domain.Trim(), fingerprint.Trim());
    }

    private static string Required(string? value, string field, string message) =>
        string.IsNullOrWhiteSpace(value) ? throw MailAdminException.Invalid($"invalid-{field}", message) : value;

    private static bool IsHostAndPort(string value)
    {
        // [v6]:port or [v6]; a bare IPv6 literal has more than one colon and no port.
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            return close > 1
                && IPAddress.TryParse(value[1..close], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                && (close == value.Length - 1 || (value[close + 1] == ':' && IsPort(value[(close + 2)..])));
        }

        var colons = value.Count(c => c == ':');
        if (colons > 1)
        {
            return IPAddress.TryParse(value, out _);
        }

        if (colons == 1)
        {
            var at = value.IndexOf(':', StringComparison.Ordinal);
            return HostNames.IsValid(value[..at]) && IsPort(value[(at + 1)..]);
        }

        return HostNames.IsValid(value);
    }

    private static bool IsPort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535;
}

internal static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this RouteGroupBuilder api)
    {
        var cluster = api.MapGroup("/cluster").WithTags("Distributed domain");
        cluster.MapGet("/", async (HttpContext context, ClusterService service) =>
                ClusterResponse.From(await service.DescribeAsync(context.User.RequireAdmin(), context.RequestAborted)))
            .RequireAuthorization(Policies.For(Permission.ViewNode))
            .WithSummary("This node's role and every server of its distributed domain, with its status and console address.");
        cluster.MapPost("/distributable", async (DistributableRequest request, HttpContext context, ClusterService service) =>
            {
                var (host, username, password) = ClusterRequests.Validate(request);
                var info = await service.DistributableAsync(ClientAddress.ActorOf(context), host, username, password, context.RequestAborted);
                return new DistributableResponse(info.Fingerprint, info.Domains);
            })
            .RequireAuthorization(Policies.For(Permission.ManageCluster))
            .WithSummary("Contact a master: its certificate's fingerprint (check it with its administrator) and the domains it can distribute (those with a directory service).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        cluster.MapPost("/connect", async (ConnectRequest request, HttpContext context, ClusterService service) =>
            {
                var role = await service.ConnectAsync(ClientAddress.ActorOf(context), ClusterRequests.Validate(request), context.RequestAborted);
                return new ConnectResponse(role.ToString().ToLowerInvariant());
            })
            .RequireAuthorization(Policies.For(Permission.ManageCluster))
            .WithSummary("Join the master's distributed domain with one of its domains; this node becomes a slave. A data-conflict refusal lists the conflicts.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        cluster.MapPost("/disconnect", async (HttpContext context, ClusterService service) =>
            {
                await service.DisconnectAsync(ClientAddress.ActorOf(context), context.RequestAborted);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.For(Permission.ManageCluster))
            .WithSummary("Leave the distributed domain (a slave only): this node keeps its mailboxes in a local domain of the same name.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict);
        cluster.MapGet("/home-servers", async (HttpContext context, ClusterService service) =>
                (await service.HomeServersAsync(context.User.RequireAdmin(), context.RequestAborted))
                    .Select(e => new HomeServerResponse(e.Address, e.HomeServer, e.Epoch)))
            .RequireAuthorization(Policies.For(Permission.ViewUsers))
            .WithSummary("Which server holds each mailbox of the distributed domain, with the epoch of its last move.");
    }
}
