using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Mail.Storage;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>
/// The source's half of a migration (the <c>Migration</c> peer service): it lists and streams
/// the Maildir to the target, holds the mailbox while the target switches, and removes its copy
/// once the home has moved. The peer interceptor admits members only; every method also checks
/// that the mailbox is, or was, hosted here.
/// </summary>
public sealed partial class MigrationSourceService(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    MaildirStore maildir,
    MailboxHolds holds,
    FolderRemovals removals,
    PeerAdministrators administrators,
    AuditLog audit,
    Scheduling.CalendarBook calendars,
    ILogger<MigrationSourceService> logger) : Distribution.Protocol.Migration.MigrationBase
{
    public const int ChunkSize = 256 * 1024;
    private const int ListBatch = 2000;

    public override async Task<MailboxSummary> Inspect(MailboxRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (user, path) = await FindAsync(request.Address, context.CancellationToken);
        await DemandRightAsync(request, CallerOf(context), holding: false, context.CancellationToken);
        var files = MaildirFiles.List(path);
        return new MailboxSummary
        {
            HostedHere = IsHere(user),
            Epoch = user.HomeEpoch,
            DirectoryId = user.DirectoryId ?? string.Empty,
            Messages = files.Count(f => f.IsMessage),
            Bytes = files.Sum(f => f.Size),
        };
    }

    public override async Task List(MailboxRef request, IServerStreamWriter<ListChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var path = await HostedPathAsync(request.Address, context.CancellationToken);
        var chunk = new ListChunk();
        foreach (var file in MaildirFiles.List(path))
        {
            chunk.Files.Add(new FileEntry { Path = file.Path, Size = file.Size });
            if (chunk.Files.Count == ListBatch)
            {
                await responseStream.WriteAsync(chunk, context.CancellationToken);
                chunk = new ListChunk();
            }
        }

        await responseStream.WriteAsync(chunk, context.CancellationToken);
    }

    public override async Task Read(ReadRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var root = await HostedPathAsync(request.Address, context.CancellationToken);
        var buffer = new byte[ChunkSize];
        foreach (var relative in request.Paths)
        {
            string full;
            try
            {
                full = MaildirFiles.Resolve(root, relative);
            }
            catch (ArgumentException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
            }

            FileStream stream;
            try
            {
                stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                await responseStream.WriteAsync(new FileChunk { Path = relative, Missing = true, Last = true }, context.CancellationToken);
                continue;
            }

            await using (stream)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, context.CancellationToken);
                    hash.AppendData(buffer, 0, read);
                    var last = read < buffer.Length && stream.Position >= stream.Length;
                    var chunk = new FileChunk { Path = relative, Data = ByteString.CopyFrom(buffer, 0, read), Last = last };
                    if (last)
                    {
                        chunk.Sha256 = ByteString.CopyFrom(hash.GetHashAndReset());
                    }

                    // Awaiting the write is the back-pressure: HTTP/2 flow control stops it while the target is behind.
                    await responseStream.WriteAsync(chunk, context.CancellationToken);
                    if (last)
                    {
                        break;
                    }
                }
            }
        }
    }

    public override async Task<HoldReply> Hold(MailboxRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = CallerOf(context);
        var (user, _) = await FindAsync(request.Address, context.CancellationToken);
        if (!IsHere(user))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{request.Address} is not hosted on {node.Name} any more (its home is {user.HomeServer})."));
        }

        var admin = await DemandRightAsync(request, caller, holding: true, context.CancellationToken);
        try
        {
            await holds.HoldAsync(Normalize(request.Address), request.JobId, caller, context.CancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }

        LogHeld(logger, request.Address, caller, request.JobId);
        await audit.RecordAsync(admin.Id, $"via {caller}", "migration.hold", $"{Normalize(request.Address)} -> {caller}", AuditLog.Success, context.CancellationToken);
        return new HoldReply();
    }

    /// <summary>
    /// The administrator who started the job must have the right to migrate the user as this
    /// node sees them (manual, chapter 9): the target alone cannot move a mailbox away from here.
    /// </summary>
    private async Task<AdminPrincipal> DemandRightAsync(MailboxRef request, string caller, bool holding, CancellationToken cancellationToken)
    {
        var address = Normalize(request.Address);
        var domain = MailAddresses.TryParse(address, out var parsed) ? parsed.Domain : string.Empty;
        var admin = await administrators.ResolveAsync(caller, request.Admin, cancellationToken);
        if (admin is not null && AccessPolicy.Allows(admin, Permission.ManageUsers, domain))
        {
            return admin;
        }

        var who = request.Admin.Length == 0 ? "an unnamed administrator" : request.Admin[..Math.Min(request.Admin.Length, 200)];
        await audit.RecordAsync(who, $"via {caller}", holding ? "migration.hold" : "migration.inspect", address, "forbidden", cancellationToken);
        throw new RpcException(new Status(StatusCode.PermissionDenied,
            $"{who}, who started this migration on {caller}, may not migrate {address} as {node.Name} knows their rights."));
    }

    public override async Task<ReleaseReply> Release(ReleaseRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (request.Moved)
        {
            var (user, _) = await FindAsync(request.Address, context.CancellationToken);
            if (!string.Equals(user.HomeServer, request.NewHome, StringComparison.OrdinalIgnoreCase) || user.HomeEpoch < request.Epoch)
            {
                // Released only once this node routes the user's mail to the new home, or held mail would come back here.
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"{node.Name} has not yet applied {request.NewHome}'s claim on {request.Address} (epoch {request.Epoch}); it still sees {user.HomeServer} at epoch {user.HomeEpoch}."));
            }
        }

        if (await holds.ReleaseAsync(Normalize(request.Address), request.JobId, context.CancellationToken))
        {
            LogReleased(logger, request.Address, request.Moved ? request.NewHome : node.Name);
        }

        return new ReleaseReply();
    }

    public override async Task<CleanReply> Clean(MailboxRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (user, path) = await FindAsync(request.Address, context.CancellationToken);
        if (IsHere(user))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{request.Address} is still hosted on {node.Name}: its copy is not removed."));
        }

        await holds.ReleaseAsync(Normalize(request.Address), request.JobId, context.CancellationToken);

        // The calendar went to the new home with the last pass (Calendar.ExportCalendar): this copy is stale.
        await calendars.RemoveAsync(Normalize(request.Address), context.CancellationToken);
        long bytes = 0;
        if (Directory.Exists(path))
        {
            bytes = MaildirFiles.List(path).Sum(f => f.Size);

            // Renamed first, so a crash halfway never leaves a half-deleted mailbox under the user's name.
            var trash = Path.Combine(node.DataDir, "migrations", "removed-" + MailboxSafeName(request.JobId));
            Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
            if (Directory.Exists(trash))
            {
                Directory.Delete(trash, recursive: true);
            }

            Directory.Move(path, trash);
            DurableFiles.SyncDirectory(Path.GetDirectoryName(path)!);
            LogCleaned(logger, request.Address, bytes);

            // Deleting thousands of files takes long on some disks; the mailbox is gone from its place already.
            removals.Remove(trash);
        }

        return new CleanReply { BytesRemoved = bytes };
    }

    public override async Task<HomeReply> HomeOf(MailboxRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (user, _) = await FindAsync(request.Address, context.CancellationToken);
        return new HomeReply { HomeServer = user.HomeServer, Epoch = user.HomeEpoch };
    }

    private bool IsHere(MailUser user) => string.Equals(user.HomeServer, node.Name, StringComparison.OrdinalIgnoreCase);

    private async Task<string> HostedPathAsync(string address, CancellationToken cancellationToken)
    {
        var (user, path) = await FindAsync(address, cancellationToken);
        return IsHere(user)
            ? path
            : throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{address} is not hosted on {node.Name} (its home is {user.HomeServer})."));
    }

    private async Task<(MailUser User, string Path)> FindAsync(string address, CancellationToken cancellationToken)
    {
        if (!MailAddresses.TryParse(address, out var parsed))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{address}' is not a mail address."));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking()
            .SingleOrDefaultAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart && u.Source == UserSource.Directory, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"{address} is not a directory user of a distributed domain on {node.Name}."));
        return (user, maildir.MailboxPath(parsed.Domain, parsed.LocalPart));
    }

    private static string Normalize(string address) => MailAddresses.TryParse(address, out var parsed) ? $"{parsed.LocalPart}@{parsed.Domain}" : address;

    private static string MailboxSafeName(string jobId) => MaildirStore.SafeSegment(jobId);

    private static string CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(ClusterProtocol.CallerNodeKey, out var name) && name is string caller
            ? caller
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The caller was not authenticated as a member of this distributed domain."));

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Holding {Address} for its move to {Target} (migration {JobId}): its mail waits and its logins are refused.")]
    private static partial void LogHeld(ILogger logger, string address, string target, string jobId);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Released {Address}; its mail goes to {Home}.")]
    private static partial void LogReleased(ILogger logger, string address, string home);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Removed this server's copy of {Address} ({Bytes} bytes): the mailbox lives elsewhere now.")]
    private static partial void LogCleaned(ILogger logger, string address, long bytes);
}
