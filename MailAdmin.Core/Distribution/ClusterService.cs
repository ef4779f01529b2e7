using System.Net;
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
/// The administrator's side of a distributed domain: join a master (Add → Distributed
/// Domain), see the servers, disconnect a slave. Refusals are <see cref="MailAdminException"/>s
/// with API.md's codes; a <c>data-conflict</c> carries its <see cref="ConflictInfo"/> list in
/// <see cref="MailAdminException.Details"/> under <c>conflicts</c>.
/// </summary>
public sealed partial class ClusterService(
    IDbContextFactory<NodeDbContext> databases,
    ClusterState state,
    ClusterStore store,
    NodeOptions node,
    LocalEndpoints endpoints,
    OwnDocument own,
    Replication replication,
    MembershipService membership,
    DocumentApplier applier,
    IPeerChannels channels,
    IClusterIdentity identity,
    DomainService domains,
    DirectorySyncService directorySync,
    AuditLog audit,
    TimeProvider clock,
    ILogger<ClusterService> logger)
{
    public async Task<ClusterInfo> DescribeAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewNode);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var members = await db.ClusterMembers.AsNoTracking().OrderByDescending(m => m.IsMaster).ThenBy(m => m.Name).ToListAsync(cancellationToken);
        if (state.Role == NodeRole.Standalone || members.Count == 0)
        {
            return new ClusterInfo(NodeRole.Standalone, null, [new ClusterServerInfo(node.Name, node.PublicHost, false, true, "ready", [], "standalone", endpoints.ConsoleUrl)]);
        }

        var servers = new List<ClusterServerInfo>();
        foreach (var member in members)
        {
            var isLocal = string.Equals(member.Name, node.Name, StringComparison.OrdinalIgnoreCase);
            var errors = new List<string>();
            var domainStatus = "connected";
            if (member.State == MemberStates.Pending)
            {
                errors.Add("The server has not confirmed its join yet.");
                domainStatus = "pending";
            }

            if (!isLocal && replication.ReachabilityOf(member.Name) is { Reachable: false, Error: { } error })
            {
                errors.Add(error);
                domainStatus = "unreachable";
            }

            servers.Add(new ClusterServerInfo(member.Name, isLocal ? node.PublicHost : member.Host, member.IsMaster, isLocal,
                errors.Count == 0 ? "ready" : "error", errors, domainStatus, isLocal ? endpoints.ConsoleUrl : member.ConsoleUrl));
        }

        return new ClusterInfo(state.Role, state.MasterName, servers);
    }

    /// <summary>Contacts a master: its certificate's fingerprint and the domains it can distribute.</summary>
    public Task<DistributableInfo> DistributableAsync(Actor actor, string masterHost, string username, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "cluster.distributable", masterHost ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageCluster);
            var (host, port) = ParseMaster(masterHost);
            RequireCredentials(username, password);
            using var connection = channels.Bootstrap(host, port, pinnedFingerprint: null);
            var caller = await HelloAsync(connection, host, port, cancellationToken);
            var reply = await CallAsync(host, port, () => connection.Client.ListDistributableAsync(
                new DistributableRequest { Caller = caller, Credentials = new Credentials { Username = username, Password = password } },
                deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync);
            return new DistributableInfo(connection.ServerFingerprint ?? string.Empty, [.. reply.Domains.Select(DomainNames.ToUnicode)]);
        }, cancellationToken);
    }

    /// <summary>Joins this node to the master's distributed domain; it becomes a slave.</summary>
    public Task<NodeRole> ConnectAsync(Actor actor, ConnectInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        return audit.RunAsync(actor, "cluster.connect", $"{input.MasterHost}: {input.Domain}", async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageCluster);
            var (host, port) = ParseMaster(input.MasterHost);
            RequireCredentials(input.Username, input.Password);
            if (string.IsNullOrWhiteSpace(input.Fingerprint))
            {
                throw MailAdminException.Invalid("invalid-fingerprint", "Give the master's certificate fingerprint the wizard showed, so this server knows it talks to the same master.");
            }

            var ascii = DomainNames.Normalize(input.Domain);
            if (state.Role != NodeRole.Standalone)
            {
                throw MailAdminException.Conflict("already-distributed",
                    $"This server is already the {state.Role.ToString().ToLowerInvariant()} of a distributed domain. A server belongs to one distributed domain: disconnect it first.");
            }

            using var connection = channels.Bootstrap(host, port, input.Fingerprint.Trim());
            var caller = await HelloAsync(connection, host, port, cancellationToken);
            var request = new ConnectRequest
            {
                Caller = caller,
                Credentials = new Credentials { Username = input.Username, Password = input.Password },
                Domain = ascii,
                Node = own.Endpoint(),
                LocalDomain = await LocalStateAsync(ascii, cancellationToken),
            };
            request.CertificateRequest = ByteString.CopyFrom(identity.CreateRequest(node.Name, [node.PublicHost]));
            var reply = await CallAsync(host, port, () => connection.Client.ConnectAsync(request, deadline: Deadline(TimeSpan.FromSeconds(30)), cancellationToken: cancellationToken).ResponseAsync);

            await AdoptAsync(ascii, reply, cancellationToken);
            LogConnected(logger, ascii, reply.Documents.FirstOrDefault()?.Owner ?? host);
            await ConfirmAsync(cancellationToken);
            replication.Nudge();
            _ = Task.Run(() => SyncAfterJoinAsync(ascii), CancellationToken.None);
            return NodeRole.Slave;
        }, cancellationToken);
    }

    /// <summary>Leaves the distributed domain; only on a slave (<c>not-a-slave</c> elsewhere).</summary>
    public Task DisconnectAsync(Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, "cluster.disconnect", node.Name, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageCluster);
            if (state.Role != NodeRole.Slave)
            {
                throw MailAdminException.Conflict("not-a-slave", state.Role == NodeRole.Master
                    ? "This server is the master. Only a slave can be disconnected, from its own console: open each slave's console from the Distributed Domains dialog and disconnect it there. When the last slave leaves, the distributed domain is removed from the master by itself."
                    : "This server is not part of a distributed domain: there is nothing to disconnect.");
            }

            var master = state.MasterName is { } name ? state.FindPeer(name) : null;
            if (master is null)
            {
                throw new MailAdminException(ErrorKind.Unavailable, "inaccessible-host", "This server does not know where its master is. Wait until it has heard from the master again, then disconnect.");
            }

            try
            {
                await channels.Peer(master.Name, master.Host, master.ClusterPort).LeaveAsync(new LeaveRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            }
            catch (RpcException e)
            {
                var error = PeerFailures.Translate(e, $"the master {master.Name} ({master.Host}:{master.ClusterPort})");
                throw new MailAdminException(error.Kind, error.Code, $"{error.Message} The master must be reachable to disconnect this server, so both sides agree.");
            }

            await membership.LeaveLocallyAsync(cancellationToken);
            LogDisconnected(logger, master.Name);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<HomeServerEntry>> HomeServersAsync(AdminPrincipal reader, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(reader, Permission.ViewUsers);
        var scope = AccessPolicy.DomainScope(reader);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Users.AsNoTracking()
            .Where(u => scope == null || u.Domain.Name == scope)
            .OrderBy(u => u.Domain.Name).ThenBy(u => u.LocalPart)
            .Select(u => new { u.LocalPart, Domain = u.Domain.Name, u.HomeServer, u.HomeEpoch })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new HomeServerEntry($"{r.LocalPart}@{r.Domain}", r.HomeServer, r.HomeEpoch))];
    }

    /// <summary>
    /// Takes the master's answer: the certificate first (a crash after it leaves a standalone node
    /// holding a slave's certificate, which the next start notices and undoes), then in one
    /// transaction the domain, the role, the members and the documents.
    /// </summary>
    private async Task AdoptAsync(string ascii, ConnectReply reply, CancellationToken cancellationToken)
    {
        identity.Adopt(reply.NodeCertificate.ToByteArray(), reply.CaCertificate.ToByteArray());
        var masterDocument = reply.Documents.FirstOrDefault(d => d.Membership is not null)
            ?? throw new MailAdminException(ErrorKind.Unavailable, "incompatible-version", "The master's answer lacks its membership. Update both servers to the same MailAdmin version.");
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var domain = await db.Domains.Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == ascii, cancellationToken);
            var now = clock.GetUtcNow();
            if (domain is null)
            {
                domain = new MailDomain { Name = ascii, CreatedAt = now };
                db.Domains.Add(domain);
            }

            if (domain.Directory is null && reply.Settings.Directory is { } inherited)
            {
                domain.Directory = new DirectorySettings
                {
                    Host = inherited.Host,
                    Port = inherited.Port,
                    Security = OwnDocument.ParseSecurity(inherited.Security),
                    BindDn = inherited.BindDn,
                    ProtectedBindPassword = domains.ProtectPassword(reply.BindPassword),
                    BaseDn = inherited.BaseDn,
                    Profile = OwnDocument.ParseProfile(inherited.Profile),
                    UserFilter = NullIfEmpty(inherited.UserFilter),
                    GroupFilter = NullIfEmpty(inherited.GroupFilter),
                    TrustedCaPem = NullIfEmpty(inherited.TrustedCaPem),
                };
            }

            domain.IsDistributed = true;
            domain.Description = NullIfEmpty(reply.Settings.Description);
            await db.SaveChangesAsync(cancellationToken);

            // Mailboxes this server had before it joined stay here: pinned with epoch 1, above any placement by filter.
            await db.Users.Where(u => u.DomainId == domain.Id && u.Source == UserSource.Directory && u.HomeServer == node.Name && u.HomeEpoch < 1)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.HomeEpoch, 1L), cancellationToken);

            var record = await ClusterStore.RecordAsync(db, cancellationToken);
            record.Role = ClusterStore.RoleName(NodeRole.Slave);
            record.MasterName = masterDocument.Owner;
            db.ClusterMembers.RemoveRange(db.ClusterMembers);
            db.PeerDocuments.RemoveRange(db.PeerDocuments);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var document in reply.Documents.Where(d => !string.Equals(d.Owner, node.Name, StringComparison.OrdinalIgnoreCase)))
            {
                db.PeerDocuments.Add(new PeerDocumentRecord { Owner = document.Owner, Version = document.Version, Payload = document.ToByteArray(), ReceivedAt = now });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await applier.ApplyAsync(cancellationToken);
    }

    /// <summary>Tells the master this node holds its certificate now; if that fails, replication says it again later.</summary>
    private async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        if (state.MasterName is not { } name || state.FindPeer(name) is not { } master)
        {
            return;
        }

        try
        {
            var reply = await channels.Peer(master.Name, master.Host, master.ClusterPort).ConfirmAsync(new ConfirmRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            await replication.ReceiveAsync(master.Name, reply.Documents, cancellationToken);
        }
        catch (RpcException e)
        {
            LogConfirmDeferred(logger, master.Name, PeerFailures.Translate(e, master.Name).Message);
        }
    }

    private async Task SyncAfterJoinAsync(string ascii)
    {
        try
        {
            await directorySync.SyncAsync(Actor.System, ascii, CancellationToken.None);
        }
        catch (MailAdminException e)
        {
            LogSyncAfterJoinFailed(logger, ascii, e.Message);
        }
    }

    private async Task<LocalDomainState> LocalStateAsync(string ascii, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var domain = await db.Domains.AsNoTracking().Include(d => d.Directory).SingleOrDefaultAsync(d => d.Name == ascii, cancellationToken);
        var local = new LocalDomainState();
        if (domain is null)
        {
            return local;
        }

        local.Exists = true;
        local.HasDirectory = domain.Directory is not null;
        local.BaseDn = domain.Directory?.BaseDn ?? string.Empty;
        var users = await db.Users.AsNoTracking().Include(u => u.Aliases).Where(u => u.DomainId == domain.Id).AsSplitQuery().ToListAsync(cancellationToken);
        foreach (var user in users)
        {
            if (user.Source == UserSource.Local)
            {
                local.LocalUsers.Add(user.LocalPart);
                local.LocalUsers.Add(user.Aliases.Select(a => a.LocalPart));
                continue;
            }

            var mailbox = new Mailbox { DirectoryId = user.DirectoryId ?? string.Empty, LocalPart = user.LocalPart, Name = user.Name, Epoch = user.HomeEpoch };
            mailbox.Aliases.Add(user.Aliases.Select(a => a.LocalPart));
            local.Mailboxes.Add(mailbox);
        }

        foreach (var alias in await db.Aliases.AsNoTracking().Where(a => a.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            local.Items.Add(new AddressItem { Kind = "alias", LocalPart = alias.LocalPart, Target = alias.Target });
        }

        foreach (var list in await db.MailingLists.AsNoTracking().Where(l => l.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            local.Items.Add(new AddressItem { Kind = "list", LocalPart = list.LocalPart });
        }

        foreach (var resource in await db.Resources.AsNoTracking().Where(r => r.DomainId == domain.Id).ToListAsync(cancellationToken))
        {
            local.Resources.Add(new ResourceEntry { LocalPart = resource.LocalPart, Name = resource.Name });
        }

        return local;
    }

    /// <summary>Hello first, before any password leaves this server: refuses itself, a slave and another protocol version.</summary>
    private async Task<HelloRequest> HelloAsync(IBootstrapConnection connection, string host, int port, CancellationToken cancellationToken)
    {
        var caller = new HelloRequest { ProtocolVersion = ClusterProtocol.Version, NodeName = node.Name, NodeId = await store.NodeIdAsync(cancellationToken) };
        var hello = await CallAsync(host, port, () => connection.Client.HelloAsync(caller, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync);
        if (hello.NodeId == caller.NodeId)
        {
            throw MailAdminException.Conflict("self-connect", $"{host}:{port} is this server itself. Enter the address of the master server.");
        }

        if (hello.ProtocolVersion != ClusterProtocol.Version)
        {
            throw MailAdminException.Conflict("incompatible-version",
                $"The master {hello.NodeName} speaks version {hello.ProtocolVersion} of the peer protocol, this server version {ClusterProtocol.Version}. Update both to the same MailAdmin version, then connect again.");
        }

        if (hello.Role == ClusterStore.RoleName(NodeRole.Slave))
        {
            var where = hello.MasterHost.Length > 0 ? $" at {hello.MasterHost}" : string.Empty;
            throw MailAdminException.Conflict("connect-to-slave", $"{hello.NodeName} is a slave of {hello.MasterName}. Connect to the master {hello.MasterName}{where} instead.");
        }

        return caller;
    }

    private static async Task<T> CallAsync<T>(string host, int port, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw PeerFailures.Translate(e, $"{host}:{port}");
        }
    }

    /// <summary>host, host:port, or [v6]:port; the port defaults to <see cref="ClusterOptions.DefaultPort"/>.</summary>
    internal static (string Host, int Port) ParseMaster(string? value)
    {
        var text = (value ?? string.Empty).Trim();
        var invalid = MailAdminException.Invalid("invalid-master-host",
            $"'{text}' is not a master server address. Enter its host name or IP address, with :port when its peer port is not {ClusterOptions.DefaultPort} (like mail.company.com or 10.0.0.5:44337).");
        if (text.Length == 0 || text.Length > 260)
        {
            throw invalid;
        }

        string host;
        var port = ClusterOptions.DefaultPort;
        if (IPAddress.TryParse(text, out var bare) && bare.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            host = bare.ToString();
        }
        else if (!Uri.TryCreate($"tcp://{text}", UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
        {
            throw invalid;
        }
        else
        {
            host = uri.Host.Trim('[', ']');
            if (!uri.IsDefaultPort)
            {
                port = uri.Port;
            }
        }

        if (port is < 1 or > 65535 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw invalid;
        }

        return (host, port);
    }

    private static void RequireCredentials(string? username, string? password)
    {
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            throw MailAdminException.Invalid("credentials-required", "Enter the user name and password of an administrator of the master with whole server read/write rights.");
        }
    }

    private DateTime Deadline(TimeSpan? timeout = null) => clock.GetUtcNow().UtcDateTime + (timeout ?? TimeSpan.FromSeconds(10));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "Connected to the distributed domain {Domain} of {Master}: this server is a slave now.")]
    private static partial void LogConnected(ILogger logger, string domain, string master);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Could not confirm the join to {Master} yet ({Reason}); it is said again at the next replication round.")]
    private static partial void LogConfirmDeferred(ILogger logger, string master, string reason);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Information, Message = "Disconnected from the master {Master}: this server is standalone again.")]
    private static partial void LogDisconnected(ILogger logger, string master);

    [LoggerMessage(EventId = 5404, Level = LogLevel.Warning, Message = "Directory sync of {Domain} after joining failed: {Reason}")]
    private static partial void LogSyncAfterJoinFailed(ILogger logger, string domain, string reason);
}
