using Google.Protobuf;
using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// The master's side of a join (the <c>Join</c> peer service, manual section 5.1). Every
/// check runs before anything is written; a refused join changes nothing. An accepted one
/// signs the caller's certificate, records it as a pending member and makes this node the
/// master if it was not yet: nobody sets roles by hand.
/// </summary>
public sealed partial class JoinService(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    ClusterStore store,
    OwnDocument own,
    Replication replication,
    AdministratorService administrators,
    DomainService domains,
    IClusterIdentity identity,
    AuditLog audit,
    TimeProvider clock,
    ILogger<JoinService> logger) : Join.JoinBase
{
    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var db = await databases.CreateDbContextAsync(context.CancellationToken);
        var record = await ClusterStore.RecordAsync(db, context.CancellationToken);
        var reply = new HelloReply
        {
            ProtocolVersion = ClusterProtocol.Version,
            NodeName = node.Name,
            NodeId = record.NodeId,
            Role = record.Role,
            MasterName = record.MasterName ?? string.Empty,
        };
        if (record.MasterName is { } master && await db.ClusterMembers.AsNoTracking().SingleOrDefaultAsync(m => m.Name == master, context.CancellationToken) is { } row)
        {
            reply.MasterHost = $"{row.Host}:{row.ClusterPort}";
        }

        return reply;
    }

    public override async Task<DistributableReply> ListDistributable(DistributableRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await CheckCallerAsync(request.Caller, context.CancellationToken);
            await SignInAsync(request.Credentials, context);
            await using var db = await databases.CreateDbContextAsync(context.CancellationToken);
            var reply = new DistributableReply();
            reply.Domains.Add(await db.Domains.AsNoTracking().Where(d => d.Directory != null).OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(context.CancellationToken));
            return reply;
        }
        catch (MailAdminException e)
        {
            throw Refusal(e);
        }
    }

    public override async Task<ConnectReply> Connect(ConnectRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        var caller = request.Node?.Name ?? request.Caller?.NodeName ?? "?";
        Actor? actor = null;
        try
        {
            await CheckCallerAsync(request.Caller, cancellationToken);
            actor = new Actor(await SignInAsync(request.Credentials, context), PeerAddress(context));
            var ascii = DomainNames.Normalize(request.Domain);
            var reply = await AcceptAsync(request, ascii, cancellationToken);
            await audit.RecordAsync(actor.Name, actor.ClientAddress, "cluster.join", $"{caller}: {ascii}", AuditLog.Success, cancellationToken);
            LogJoined(logger, caller, ascii);
            replication.Nudge();
            return reply;
        }
        catch (MailAdminException e)
        {
            await audit.RecordAsync(actor?.Name ?? $"node:{caller}", PeerAddress(context), "cluster.join", $"{caller}: {request.Domain}", e.Code, cancellationToken);
            LogRefused(logger, caller, e.Code, e.Message);
            throw Refusal(e);
        }
    }

    private async Task<ConnectReply> AcceptAsync(ConnectRequest request, string ascii, CancellationToken cancellationToken)
    {
        if (request.Node is null || string.IsNullOrWhiteSpace(request.Node.Name) || request.CertificateRequest.IsEmpty)
        {
            throw MailAdminException.Invalid("invalid-join-request", "The joining server sent an incomplete request. Update it to the same version as the master.");
        }

        if (!identity.OwnsTrustRoot)
        {
            throw MailAdminException.Conflict("connect-to-slave", $"{node.Name} cannot sign certificates for a distributed domain: connect to its master instead.");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var domain = await db.Domains.Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == ascii, cancellationToken)
            ?? throw MailAdminException.NotFound("domain-not-found", $"The master {node.Name} has no domain {DomainNames.ToUnicode(ascii)}. Pick one of the domains the wizard lists.");
        var directory = domain.Directory ?? throw MailAdminException.Conflict("directory-missing-remote",
            $"{DomainNames.ToUnicode(ascii)} on the master {node.Name} has no directory service. Users of a distributed domain come from a directory: set one for the domain on the master, then connect again.");
        var local = request.LocalDomain;
        if (local is { Exists: true })
        {
            if (!local.HasDirectory)
            {
                throw MailAdminException.Conflict("directory-missing-local",
                    $"{DomainNames.ToUnicode(ascii)} on this server has no directory service. Set the same directory service as on the master (base DN {directory.BaseDn}) for the domain, then connect again.");
            }

            if (GroupMembership.DnKey(local.BaseDn) != GroupMembership.DnKey(directory.BaseDn))
            {
                throw MailAdminException.Conflict("directory-different",
                    $"{DomainNames.ToUnicode(ascii)} maps users from {local.BaseDn} on this server but from {directory.BaseDn} on the master. Both must use the same directory service: change the base DN on one side, then connect again.");
            }
        }

        var members = await db.ClusterMembers.ToListAsync(cancellationToken);
        var existing = members.FirstOrDefault(m => string.Equals(m.Name, request.Node.Name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null && existing.State == MemberStates.Active)
        {
            throw MailAdminException.Conflict("node-name-taken",
                $"A server named {request.Node.Name} is already part of this distributed domain. Give each server its own Node:Name, or disconnect the other one first.");
        }

        var conflicts = await ConflictsAsync(db, domain, local, cancellationToken);
        if (conflicts.Count > 0)
        {
            throw new MailAdminException(ErrorKind.Conflict, "data-conflict",
                $"{conflicts.Count} address{(conflicts.Count == 1 ? string.Empty : "es")} of {DomainNames.ToUnicode(ascii)} exist on both servers: {string.Join(", ", conflicts.Take(5).Select(c => $"{c.Name} ({c.Type})"))}{(conflicts.Count > 5 ? ", ..." : string.Empty)}. Delete or rename them on one side, then connect again.")
            {
                Details = new Dictionary<string, object?> { ["conflicts"] = conflicts },
            };
        }

        var issued = identity.Issue(request.CertificateRequest.ToByteArray(), request.Node.Name, [request.Node.Host]);
        using var issuedCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(issued);
        var thumbprint = Convert.ToHexStringLower(issuedCertificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));

        var record = await ClusterStore.RecordAsync(db, cancellationToken);
        record.Role = ClusterStore.RoleName(NodeRole.Master);
        record.MasterName = node.Name;
        var now = clock.GetUtcNow();
        if (!members.Any(m => string.Equals(m.Name, node.Name, StringComparison.OrdinalIgnoreCase)))
        {
            var self = new ClusterMember { Name = node.Name, Host = node.PublicHost, IsMaster = true, State = MemberStates.Active, JoinedAt = now, CertificateThumbprint = identity.Thumbprint };
            ClusterStore.Apply(self, own.Endpoint());
            db.ClusterMembers.Add(self);
        }

        var member = existing ?? new ClusterMember { Name = request.Node.Name, Host = request.Node.Host };
        ClusterStore.Apply(member, request.Node);
        member.CertificateThumbprint = thumbprint;
        member.State = MemberStates.Pending;
        member.IsMaster = false;
        member.JoinedAt = now;
        if (existing is null)
        {
            db.ClusterMembers.Add(member);
        }

        domain.IsDistributed = true;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await store.RefreshAsync(cancellationToken);

        var reply = new ConnectReply
        {
            CaCertificate = ByteString.CopyFrom(identity.TrustRoot.RawData),
            NodeCertificate = ByteString.CopyFrom(issued),
            Settings = OwnDocument.SettingsOf(domain),
            BindPassword = domains.ConnectionOf(directory).BindPassword,
        };
        reply.Documents.Add(await replication.DocumentsAsync([], cancellationToken));
        return reply;
    }

    /// <summary>Addresses the joining server has that the distributed domain already knows.</summary>
    private async Task<List<ConflictInfo>> ConflictsAsync(NodeDbContext db, MailDomain domain, LocalDomainState? local, CancellationToken cancellationToken)
    {
        var conflicts = new List<ConflictInfo>();
        if (local is not { Exists: true })
        {
            return conflicts;
        }

        var here = new Dictionary<string, string>(StringComparer.Ordinal);
        void Hold(string localPart, string homeServer) => here.TryAdd(localPart, homeServer);
        foreach (var user in await db.Users.AsNoTracking().Include(u => u.Aliases).Where(u => u.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            Hold(user.LocalPart, user.HomeServer);
            foreach (var alias in user.Aliases)
            {
                Hold(alias.LocalPart, user.HomeServer);
            }
        }

        foreach (var alias in await db.Aliases.AsNoTracking().Where(a => a.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            Hold(alias.LocalPart, alias.HomeServer ?? node.Name);
        }

        foreach (var list in await db.MailingLists.AsNoTracking().Where(l => l.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            Hold(list.LocalPart, list.HomeServer ?? node.Name);
        }

        foreach (var resource in await db.Resources.AsNoTracking().Where(r => r.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            Hold(resource.LocalPart, resource.HomeServer ?? node.Name);
        }

        // Directory groups are not compared: the same directory gives both sides the same groups, one group across all servers.
        void Check(string type, string localPart)
        {
            if (here.TryGetValue(localPart, out var home) && !conflicts.Any(c => c.Name == $"{localPart}@{domain.Name}"))
            {
                conflicts.Add(new ConflictInfo(type, $"{localPart}@{domain.Name}", domain.Name, home));
            }
        }

        foreach (var mailbox in local.Mailboxes)
        {
            Check("mailbox", mailbox.LocalPart);
            foreach (var alias in mailbox.Aliases)
            {
                Check("mailbox", alias);
            }
        }

        foreach (var user in local.LocalUsers)
        {
            Check("mailbox", user);
        }

        foreach (var item in local.Items)
        {
            Check(item.Kind == "list" ? "list" : "alias", item.LocalPart);
        }

        foreach (var resource in local.Resources)
        {
            Check("resource", resource.LocalPart);
        }

        return conflicts;
    }

    private async Task CheckCallerAsync(HelloRequest? caller, CancellationToken cancellationToken)
    {
        if (caller is null || caller.ProtocolVersion != ClusterProtocol.Version)
        {
            throw MailAdminException.Conflict("incompatible-version",
                $"This server speaks version {caller?.ProtocolVersion ?? 0} of the peer protocol, the master {node.Name} version {ClusterProtocol.Version}. Update both to the same MailAdmin version, then connect again.");
        }

        var nodeId = await store.NodeIdAsync(cancellationToken);
        if (caller.NodeId == nodeId)
        {
            throw MailAdminException.Conflict("self-connect", "This is the server you are signed in to. Enter the address of the master server.");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var record = await ClusterStore.RecordAsync(db, cancellationToken);
        if (ClusterStore.ParseRole(record.Role) == NodeRole.Slave)
        {
            throw MailAdminException.Conflict("connect-to-slave",
                $"{node.Name} is a slave of {record.MasterName}. Connect to the master {record.MasterName} instead.");
        }
    }

    private async Task<AdminPrincipal> SignInAsync(Credentials? credentials, ServerCallContext context)
    {
        var signedIn = await administrators.SignInAsync(credentials?.Username, credentials?.Password, PeerAddress(context), context.CancellationToken);
        if (!AccessPolicy.Allows(signedIn.Principal, Permission.ManageCluster))
        {
            throw new MailAdminException(ErrorKind.Unauthenticated, "invalid-credentials",
                $"{signedIn.Principal.DisplayName} is an administrator of {node.Name} but without whole server read/write rights, which connecting a server needs. Use an administrator with those rights.");
        }

        return signedIn.Principal;
    }

    private static string PeerAddress(ServerCallContext context)
    {
        // "ipv4:10.0.0.5:51234" or "ipv6:[::1]:51234": the address without the port.
        var peer = context.Peer ?? string.Empty;
        var colon = peer.IndexOf(':', StringComparison.Ordinal);
        var last = peer.LastIndexOf(':');
        return colon >= 0 && last > colon ? peer[(colon + 1)..last].Trim('[', ']') : peer;
    }

    /// <summary>The gRPC form of a refusal: its kind as the status, its code (and conflicts) as trailers.</summary>
    internal static RpcException Refusal(MailAdminException e)
    {
        var status = e.Kind switch
        {
            ErrorKind.Unauthenticated => StatusCode.Unauthenticated,
            ErrorKind.TooManyRequests => StatusCode.ResourceExhausted,
            ErrorKind.NotFound => StatusCode.NotFound,
            ErrorKind.Invalid => StatusCode.InvalidArgument,
            ErrorKind.Forbidden => StatusCode.PermissionDenied,
            ErrorKind.Unavailable => StatusCode.Unavailable,
            _ => StatusCode.FailedPrecondition,
        };
        var trailers = new Metadata { { ClusterProtocol.CodeTrailer, e.Code } };
        if (e.Details?.GetValueOrDefault("conflicts") is IEnumerable<ConflictInfo> conflicts)
        {
            var list = new ConflictList();
            list.Conflicts.Add(conflicts.Select(c => new Conflict { Type = c.Type, Name = c.Name, Domain = c.Domain, HomeServer = c.HomeServer }));
            trailers.Add(ClusterProtocol.ConflictsTrailer, list.ToByteArray());
        }

        return new RpcException(new Status(status, e.Message), trailers);
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "{Node} joined the distributed domain {Domain} (pending its confirmation).")]
    private static partial void LogJoined(ILogger logger, string node, string domain);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Join of {Node} refused ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string node, string code, string reason);
}
