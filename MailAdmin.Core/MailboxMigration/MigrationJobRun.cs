using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Mail.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.MailboxMigration;

public sealed partial class MigrationRunner
{
    /// <summary>One run of one job, from wherever its row says it stopped.</summary>
    private sealed class JobRun(MigrationRunner runner, MigrationJob job, CancellationToken canceled, CancellationToken stopping)
    {
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
        private const int ReadBatch = 256;

        private readonly string _work = runner.WorkFolder(job.Id);
        private readonly Dictionary<string, string> _manifest = new(StringComparer.Ordinal);
        private DateTimeOffset _lastProgress = DateTimeOffset.MinValue;
        private DateTimeOffset? _waitingSince;
        private Stopwatch? _throttleStart;
        private long _throttled;
        private bool _holding;
        private List<MaildirFile> _lastSource = [];
        private readonly HashSet<string> _ensured = new(StringComparer.Ordinal);
        private StreamWriter? _manifestWriter;

        private string Copy => Path.Combine(_work, "mail");

        private string ManifestPath => Path.Combine(_work, "manifest.tsv");

        private MailboxRef Ref => new() { Address = job.Address, JobId = job.Id, Admin = job.StartedBy };

        public async Task RunAsync()
        {
            try
            {
                await RunCoreAsync();
            }
            finally
            {
                if (_manifestWriter is not null)
                {
                    await _manifestWriter.DisposeAsync();
                }
            }
        }

        private async Task RunCoreAsync()
        {
            if (MigrationStates.IsCommitted(job.State))
            {
                await FinishCommittedAsync();
                return;
            }

            try
            {
                if (job.State == MigrationStates.Switching)
                {
                    await RollBackSwitchAsync();
                    LogSwitchRolledBack(runner.Logger, job.Id, job.Address);
                    await SetStateAsync(MigrationStates.Copying);
                }

                ThrowIfCancelRequested();
                if (job.State is MigrationStates.Queued or MigrationStates.Checking)
                {
                    job.StartedAt ??= runner.Clock.GetUtcNow();
                    await SetStateAsync(MigrationStates.Checking);
                    await CheckAsync();
                    await SetStateAsync(MigrationStates.Copying);
                }

                LoadManifest();
                while (true)
                {
                    if (job.State == MigrationStates.Copying)
                    {
                        await CopyAsync();
                        await SetStateAsync(MigrationStates.Verifying);
                    }

                    if (job.State == MigrationStates.Verifying)
                    {
                        if (await VerifyAsync() > 0)
                        {
                            await SetStateAsync(MigrationStates.Copying);
                            continue;
                        }
                    }

                    ThrowIfCancelRequested();
                    if (await SwitchAsync())
                    {
                        break;
                    }

                    // The source went away mid-switch: rolled back; copy what changed and try again.
                    await SetStateAsync(MigrationStates.Copying);
                }
            }
            catch (OperationCanceledException) when ((job.CancelRequested || canceled.IsCancellationRequested) && !stopping.IsCancellationRequested)
            {
                await EndAsync(MigrationStates.Canceled, MigrationResults.Canceled, null);
                return;
            }
            catch (Exception e) when (e is MigrationFailedException or IOException or UnauthorizedAccessException)
            {
                await EndAsync(MigrationStates.Failed, MigrationResults.Error, e.Message);
                return;
            }

            await FinishCommittedAsync();
        }

        private void ThrowIfCancelRequested()
        {
            if (job.CancelRequested)
            {
                throw new OperationCanceledException(canceled.IsCancellationRequested ? canceled : new CancellationToken(true));
            }

            canceled.ThrowIfCancellationRequested();
        }

        /// <summary>Checking: the source still hosts the mailbox and answers; the target has room for it.</summary>
        private async Task CheckAsync()
        {
            var summary = await CallSourceAsync(client => client.InspectAsync(Ref, cancellationToken: canceled).ResponseAsync);
            if (!summary.HostedHere)
            {
                throw new MigrationFailedException($"{job.Address} is no longer hosted on {job.Source}; nothing was moved.");
            }

            if (!string.IsNullOrEmpty(job.DirectoryId) && summary.DirectoryId != job.DirectoryId)
            {
                throw new MigrationFailedException($"{job.Address} on {job.Source} is another directory entry than on this server; run a directory sync on both and try again.");
            }

            job.BytesTotal = summary.Bytes;
            job.MessagesTotal = summary.Messages;
            Directory.CreateDirectory(_work);
            var free = new DriveInfo(Path.GetFullPath(_work)).AvailableFreeSpace;
            var needed = summary.Bytes + runner.Options.ReserveBytes;
            if (free < needed)
            {
                throw new MigrationFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"Not enough room on {runner.Node.Name}: the mailbox needs {Size(summary.Bytes)} and {Size(runner.Options.ReserveBytes)} must stay free (Migration:ReserveMegabytes), but only {Size(free)} is free. Free some disk space and start the migration again."));
            }
        }

        /// <summary>Copying: passes while the user works, until one changes little enough to be the last.</summary>
        private async Task CopyAsync()
        {
            while (true)
            {
                ThrowIfCancelRequested();
                var changes = await PassAsync(final: false);
                job.Passes++;
                await SaveAsync();
                if (changes <= runner.Options.SwitchBelowFiles || job.Passes >= runner.Options.MaxPasses)
                {
                    return;
                }
            }
        }

        /// <summary>Verifying: every copied file read back against the hash the source computed. Returns the files to copy again.</summary>
        private async Task<int> VerifyAsync()
        {
            var bad = 0;
            foreach (var file in MaildirFiles.List(Copy))
            {
                ThrowIfCancelRequested();
                var full = MaildirFiles.Resolve(Copy, file.Path);
                await ThrottleAsync((int)Math.Min(file.Size, int.MaxValue), canceled);
                if (!_manifest.TryGetValue(file.Key, out var expected) || expected != await HashAsync(full))
                {
                    File.Delete(full);
                    _manifest.Remove(file.Key);
                    bad++;
                }
            }

            if (bad > 0)
            {
                LogVerifyMismatch(runner.Logger, job.Id, bad);
            }

            return bad;
        }

        /// <summary>
        /// Switching, the only time the user is locked out: hold the mailbox here and on the
        /// source, copy the last delta, compare both copies, put the copy in place and commit the
        /// new home in one transaction, then release. False when the source could not be held
        /// (it was rolled back and the job copies again).
        /// </summary>
        private async Task<bool> SwitchAsync()
        {
            await SetStateAsync(MigrationStates.Switching);

            // A cancel that raced the step into switching still wins: nothing is held yet.
            ThrowIfCancelRequested();

            // Whatever the copy wrote reaches the disk now, while the user works: under the hold only the last delta is synced.
            DurableFiles.SyncFileSystem(_work);
            var watch = Stopwatch.StartNew();
            await runner.Holds.HoldAsync(job.Address, job.Id, runner.Node.Name, stopping);
            long sourceEpoch;
            try
            {
                job.SourceHeld = true;
                await SaveAsync();
                await CallSourceAsync(client => client.HoldAsync(Ref, cancellationToken: stopping).ResponseAsync, wait: TimeSpan.FromSeconds(30));
                await PassAsync(final: true);

                // Both copies are quiet now (the source's listing of the last pass still holds): they must be the same, file for file.
                CompareOrThrow(_lastSource, MaildirFiles.List(Copy));
                var home = await CallSourceAsync(client => client.HomeOfAsync(Ref, cancellationToken: stopping).ResponseAsync, wait: TimeSpan.FromSeconds(30));
                sourceEpoch = home.Epoch;
                if (!string.Equals(home.HomeServer, job.Source, StringComparison.OrdinalIgnoreCase))
                {
                    throw new MigrationFailedException($"{job.Address} stopped being hosted on {job.Source} during the move; nothing was switched.");
                }

                DurableFiles.SyncFileSystem(Copy);
                await CarryCalendarAsync();
                PutInPlace();
            }
            catch (Exception e) when (e is RpcException or MigrationFailedException or IOException && !stopping.IsCancellationRequested)
            {
                await RollBackSwitchAsync();
                if (e is MigrationFailedException { SourceUnreachable: false })
                {
                    throw;
                }

                return false;
            }

            // The commit: from here on the move only goes forward.
            await using (var db = await runner.Databases.CreateDbContextAsync(CancellationToken.None))
            await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
            {
                var parsed = MailAddresses.Parse(job.Address);
                var user = await db.Users.SingleAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart, CancellationToken.None);
                job.NewEpoch = Math.Max(user.HomeEpoch, sourceEpoch) + 1;
                user.HomeServer = runner.Node.Name;
                user.HomeEpoch = job.NewEpoch;
                user.UpdatedAt = runner.Clock.GetUtcNow();
                job.State = MigrationStates.Releasing;
                db.MigrationJobs.Update(job);
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }

            // The mailbox now takes a seat here; a count kept from before would let it sign in beyond the licence.
            runner.Licence.Invalidate();
            Publish(force: true);
            await runner.Holds.ReleaseAsync(job.Address, job.Id, CancellationToken.None);
            await ReleaseSourceAsync();
            job.LockoutMilliseconds = watch.ElapsedMilliseconds;
            await SaveAsync();
            LogSwitched(runner.Logger, job.Id, job.Address, watch.ElapsedMilliseconds, job.NewEpoch);
            return true;
        }

        /// <summary>
        /// The user's calendar (free/busy) follows the mailbox: read from the source under the
        /// hold, when neither delivery nor the user can change it there, and written here before
        /// the commit. A switch rolled back leaves a copy here that nothing reads (free/busy asks
        /// the home server) and the next switch replaces.
        /// </summary>
        private async Task CarryCalendarAsync()
        {
            if (runner.Topology.FindPeer(job.Source) is not { ClusterPort: > 0 } peer)
            {
                throw new MigrationFailedException($"{job.Source} is not a member of the distributed domain as this server knows it; nothing was switched.", sourceUnreachable: true);
            }

            var owner = MailAddresses.Parse(job.Address).ToString();
            ExportCalendarReply reply;
            try
            {
                reply = await runner.Channels.Calendar(peer.Name, peer.Host, peer.ClusterPort)
                    .ExportCalendarAsync(new ExportCalendarRequest { Address = owner }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: stopping);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                LogNoCalendarService(runner.Logger, job.Id, job.Source);
                return;
            }

            if (reply.Refusal is { } refusal)
            {
                throw new MigrationFailedException($"{job.Source} did not hand over the calendar of {job.Address}: {refusal.Message}");
            }

            var now = runner.Clock.GetUtcNow();
            await runner.Calendars.ReplaceAsync(owner, [.. reply.Entries.Select(e => Scheduling.CalendarRecords.FromRecord(e, owner, now))], stopping);
        }

        /// <summary>After the commit: the source releases the mail it held towards here, every node acknowledges the new home, the source copy goes.</summary>
        private async Task FinishCommittedAsync()
        {
            if (job.State == MigrationStates.Releasing)
            {
                await runner.Holds.ReleaseAsync(job.Address, job.Id, CancellationToken.None);
                await ReleaseSourceAsync();
                await SetStateAsync(MigrationStates.Cleaning);
            }

            if (job.State == MigrationStates.Cleaning)
            {
                await WaitForAcknowledgementsAsync();
                var cleaned = await CallSourceAsync(client => client.CleanAsync(Ref, cancellationToken: stopping).ResponseAsync, wait: TimeSpan.MaxValue);
                _ = cleaned;
                DeleteWork();
                await EndAsync(MigrationStates.Completed, MigrationResults.Completed, null);
            }
        }

        /// <summary>Tells every node the new home at once, then asks the source to release what it held, until it has applied the claim.</summary>
        private async Task ReleaseSourceAsync()
        {
            var request = new ReleaseRequest { Address = job.Address, JobId = job.Id, Moved = true, NewHome = runner.Node.Name, Epoch = job.NewEpoch };
            while (true)
            {
                await runner.Replication.AnnounceAsync(stopping);
                try
                {
                    await CallSourceAsync(client => client.ReleaseAsync(request, cancellationToken: stopping).ResponseAsync, wait: TimeSpan.MaxValue);
                    job.SourceHeld = false;
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), runner.Clock, stopping);
                }
            }
        }

        /// <summary>The source copy is removed only once every member routes the user here.</summary>
        private async Task WaitForAcknowledgementsAsync()
        {
            var lastAnnounce = DateTimeOffset.MinValue;
            while (true)
            {
                var waiting = new List<string>();
                foreach (var peer in runner.Topology.Peers)
                {
                    try
                    {
                        var client = runner.Channels.Migration(peer.Name, peer.Host, peer.ClusterPort);
                        var home = await client.HomeOfAsync(Ref, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: stopping);
                        if (!string.Equals(home.HomeServer, runner.Node.Name, StringComparison.OrdinalIgnoreCase) || home.Epoch < job.NewEpoch)
                        {
                            waiting.Add($"{peer.Name} still sees {home.HomeServer}");
                        }
                    }
                    catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !stopping.IsCancellationRequested)
                    {
                        waiting.Add($"{peer.Name} does not answer ({e.Status.Detail})");
                    }
                }

                if (waiting.Count == 0)
                {
                    job.Error = null;
                    return;
                }

                job.Error = "Waiting for every server to acknowledge the new home: " + string.Join("; ", waiting) + ".";
                Publish(force: false);
                if (runner.Clock.GetUtcNow() - lastAnnounce > TimeSpan.FromSeconds(5))
                {
                    lastAnnounce = runner.Clock.GetUtcNow();
                    await runner.Replication.AnnounceAsync(stopping);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), runner.Clock, stopping);
            }
        }

        /// <summary>Undoes a switch that did not commit: the copy back to the work folder, both holds released.</summary>
        private async Task RollBackSwitchAsync()
        {
            var finalPath = FinalPath();
            if (!Directory.Exists(Copy) && Directory.Exists(finalPath) && !await IsHomeHereAsync())
            {
                Directory.Move(finalPath, Copy);
            }

            if (job.SourceHeld)
            {
                try
                {
                    await CallSourceAsync(client => client.ReleaseAsync(new ReleaseRequest { Address = job.Address, JobId = job.Id }, cancellationToken: stopping).ResponseAsync, wait: TimeSpan.MaxValue);
                }
                catch (RpcException)
                {
                    // The hold names this job: the next switch or the final cleanup releases it.
                }

                job.SourceHeld = false;
            }

            await runner.Holds.ReleaseAsync(job.Address, job.Id, CancellationToken.None);
            await SaveAsync();
        }

        private async Task<bool> IsHomeHereAsync()
        {
            await using var db = await runner.Databases.CreateDbContextAsync(CancellationToken.None);
            var parsed = MailAddresses.Parse(job.Address);
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart, CancellationToken.None);
            return user is not null && string.Equals(user.HomeServer, runner.Node.Name, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Moves the finished copy to the user's Maildir path; a stale copy found there is set aside, never merged.</summary>
        private void PutInPlace()
        {
            var finalPath = FinalPath();
            var parent = Path.GetDirectoryName(finalPath)!;
            Directory.CreateDirectory(parent);
            if (Directory.Exists(finalPath))
            {
                var aside = Path.Combine(_work, "previous-" + runner.Clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
                Directory.Move(finalPath, aside);
                LogPreviousCopy(runner.Logger, job.Id, job.Address, aside);
            }

            Directory.Move(Copy, finalPath);
            DurableFiles.SyncDirectory(parent);
        }

        private string FinalPath()
        {
            var parsed = MailAddresses.Parse(job.Address);
            return runner.Maildir.MailboxPath(parsed.Domain, parsed.LocalPart);
        }

        private static void CompareOrThrow(List<MaildirFile> source, List<MaildirFile> local)
        {
            var theirs = source.ToDictionary(f => f.Path, f => f.Size, StringComparer.Ordinal);
            var ours = local.ToDictionary(f => f.Path, f => f.Size, StringComparer.Ordinal);
            var missing = theirs.Keys.Where(p => !ours.ContainsKey(p)).ToList();
            var extra = ours.Keys.Where(p => !theirs.ContainsKey(p)).ToList();
            var differ = theirs.Where(p => ours.TryGetValue(p.Key, out var size) && size != p.Value).Select(p => p.Key).ToList();
            if (missing.Count + extra.Count + differ.Count > 0)
            {
                throw new MigrationFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"Verification failed: the copy has {extra.Count} files the source lacks, lacks {missing.Count} and differs in size for {differ.Count} (first: {missing.Concat(extra).Concat(differ).First()}). The source mailbox is unchanged."));
            }

            if (source.Count(f => f.IsMessage) != local.Count(f => f.IsMessage) || source.Sum(f => f.Size) != local.Sum(f => f.Size))
            {
                throw new MigrationFailedException("Verification failed: message count or size differ. The source mailbox is unchanged.");
            }
        }

        /// <summary>
        /// One pass: lists the source, deletes what it deleted, renames what it renamed (flags),
        /// and copies what is new. The final pass, under the hold, also copies again every
        /// non-message file (a client's index). Returns how many changes it made.
        /// </summary>
        private async Task<int> PassAsync(bool final)
        {
            var token = final ? stopping : canceled;

            // Under the hold the user waits: the last pass is never throttled.
            _holding = final;
            EnsureMaildir(Copy);
            var source = await ListSourceAsync(token);
            _lastSource = source;
            var local = MaildirFiles.List(Copy);
            var theirs = source.GroupBy(f => f.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var ours = local.GroupBy(f => f.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var changes = 0;

            foreach (var (key, file) in ours)
            {
                if (!theirs.TryGetValue(key, out var wanted))
                {
                    File.Delete(MaildirFiles.Resolve(Copy, file.Path));
                    _manifest.Remove(key);
                    changes++;
                }
                else if (wanted.Path != file.Path && wanted.IsMessage && wanted.Size == file.Size)
                {
                    var to = MaildirFiles.Resolve(Copy, wanted.Path);
                    EnsureMaildir(Path.GetDirectoryName(Path.GetDirectoryName(to))!);
                    File.Move(MaildirFiles.Resolve(Copy, file.Path), to, overwrite: true);
                    changes++;
                }
            }

            var fetch = theirs.Values
                .Where(f => !ours.TryGetValue(f.Key, out var have) || have.Size != f.Size || (!f.IsMessage && final) || (have.Path != f.Path && !f.IsMessage))
                .Select(f => f.Path)
                .ToList();
            job.BytesTotal = source.Sum(f => f.Size);
            job.MessagesTotal = source.Count(f => f.IsMessage);
            var copied = MaildirFiles.List(Copy);
            job.BytesCopied = copied.Where(f => theirs.ContainsKey(f.Key)).Sum(f => f.Size);
            job.MessagesCopied = copied.Count(f => f.IsMessage && theirs.ContainsKey(f.Key));
            Publish(force: true);

            for (var i = 0; i < fetch.Count; i += ReadBatch)
            {
                changes += await FetchAsync(fetch.GetRange(i, Math.Min(ReadBatch, fetch.Count - i)), theirs, token);
            }

            return changes;
        }

        private async Task<int> FetchAsync(List<string> paths, Dictionary<string, MaildirFile> theirs, CancellationToken token)
        {
            var request = new ReadRequest { Address = job.Address, JobId = job.Id };
            request.Paths.Add(paths);
            return await CallSourceAsync(async client =>
            {
                var written = 0;
                using var call = client.Read(request, cancellationToken: token);
                FileStream? output = null;
                IncrementalHash? hash = null;
                string? temporary = null;
                try
                {
                    await foreach (var chunk in call.ResponseStream.ReadAllAsync(token))
                    {
                        if (chunk.Missing)
                        {
                            continue;
                        }

                        if (output is null)
                        {
                            temporary = Path.Combine(Copy, "tmp", Guid.NewGuid().ToString("N"));
                            output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);
                            hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                        }

                        await output.WriteAsync(chunk.Data.Memory, token);
                        hash!.AppendData(chunk.Data.Span);
                        await ThrottleAsync(chunk.Data.Length, token);
                        if (!chunk.Last)
                        {
                            continue;
                        }

                        await output.DisposeAsync();
                        output = null;
                        var digest = hash.GetHashAndReset();
                        hash.Dispose();
                        hash = null;
                        if (!digest.AsSpan().SequenceEqual(chunk.Sha256.Span))
                        {
                            // Damaged on the way: left out, so the next pass copies it again.
                            File.Delete(temporary!);
                            written++;
                            continue;
                        }

                        var target = MaildirFiles.Resolve(Copy, chunk.Path);
                        EnsureMaildir(Path.GetDirectoryName(Path.GetDirectoryName(target))!);
                        File.Move(temporary!, target, overwrite: true);
                        var key = MaildirFiles.KeyOf(chunk.Path);
                        _manifest[key] = Convert.ToHexStringLower(digest);
                        _manifestWriter ??= new StreamWriter(ManifestPath, append: true);
                        await _manifestWriter.WriteAsync($"{key}\t{_manifest[key]}\n");
                        written++;
                        job.BytesCopied += theirs.TryGetValue(key, out var f) ? f.Size : 0;
                        job.MessagesCopied += MaildirFiles.IsMessagePath(chunk.Path) ? 1 : 0;
                        Publish(force: false);
                    }
                }
                finally
                {
                    if (_manifestWriter is not null)
                    {
                        await _manifestWriter.FlushAsync(CancellationToken.None);
                    }

                    if (output is not null)
                    {
                        await output.DisposeAsync();
                        File.Delete(temporary!);
                    }

                    hash?.Dispose();
                }

                return written;
            });
        }

        /// <summary>Keeps the copy, and the reading back, under <see cref="MigrationOptions.MaxBytesPerSecond"/>.</summary>
        private async Task ThrottleAsync(int bytes, CancellationToken token)
        {
            var limit = runner.Options.MaxBytesPerSecond;
            if (limit <= 0 || _holding)
            {
                return;
            }

            _throttleStart ??= Stopwatch.StartNew();
            _throttled += bytes;
            var ahead = TimeSpan.FromSeconds((double)_throttled / limit) - _throttleStart.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(5))
            {
                await Task.Delay(ahead, token);
            }
        }

        private async Task<List<MaildirFile>> ListSourceAsync(CancellationToken token) =>
            await CallSourceAsync(async client =>
            {
                var files = new List<MaildirFile>();
                using var call = client.List(Ref, cancellationToken: token);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(token))
                {
                    files.AddRange(chunk.Files.Select(f => new MaildirFile(f.Path, f.Size)));
                }

                return files;
            });

        /// <summary>
        /// A call to the source. While it cannot be reached the job waits and says so, up to
        /// <paramref name="wait"/> (<see cref="MigrationOptions.SourceWait"/> unless given), then fails.
        /// A refusal (the mailbox is not there, a bad request) fails at once.
        /// </summary>
        private async Task<T> CallSourceAsync<T>(Func<Distribution.Protocol.Migration.MigrationClient, Task<T>> call, TimeSpan? wait = null)
        {
            var limit = wait ?? runner.Options.SourceWait;
            var delay = TimeSpan.FromMilliseconds(250);
            while (true)
            {
                string error;
                if (runner.Topology.FindPeer(job.Source) is { ClusterPort: > 0 } peer)
                {
                    try
                    {
                        var result = await call(runner.Channels.Migration(peer.Name, peer.Host, peer.ClusterPort));
                        if (_waitingSince is not null)
                        {
                            _waitingSince = null;
                            job.Error = null;
                            Publish(force: true);
                        }

                        return result;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && (stopping.IsCancellationRequested || canceled.IsCancellationRequested))
                    {
                        throw new OperationCanceledException(e.Message, e, stopping.IsCancellationRequested ? stopping : canceled);
                    }
                    catch (RpcException e) when (IsTransient(e))
                    {
                        error = e.Status.Detail;
                    }
                    catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
                    {
                        throw new MigrationFailedException($"{job.Source} refused: {e.Status.Detail}");
                    }
                }
                else
                {
                    error = $"{job.Source} is not a member of the distributed domain as this server knows it";
                }

                var now = runner.Clock.GetUtcNow();
                _waitingSince ??= now;
                if (limit != TimeSpan.MaxValue && now - _waitingSince > limit)
                {
                    throw new MigrationFailedException(
                        string.Create(CultureInfo.InvariantCulture, $"{job.Source}, where the mailbox lives, did not answer for {limit.TotalMinutes:0.#} minutes ({error}); the migration was rolled back and the mailbox stays there."),
                        sourceUnreachable: true);
                }

                if (job.Error is null || !job.Error.StartsWith("Waiting", StringComparison.Ordinal))
                {
                    LogWaiting(runner.Logger, job.Id, job.Source, error);
                }

                job.Error = $"Waiting for {job.Source}: {error}";
                Publish(force: true);
                await Task.Delay(delay, runner.Clock, canceled.IsCancellationRequested ? stopping : canceled);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }

        private static bool IsTransient(RpcException e) =>
            e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled or StatusCode.Aborted or StatusCode.ResourceExhausted;

        private async Task EndAsync(string state, string result, string? error)
        {
            if (state != MigrationStates.Completed)
            {
                // Rolled back: the source as it was, nothing of the copy left here.
                if (job.SourceHeld || job.State == MigrationStates.Switching)
                {
                    await RollBackSwitchAsync();
                }

                DeleteWork();
                if (error is not null)
                {
                    LogFailed(runner.Logger, job.Id, job.Address, error);
                }
            }

            job.State = state;
            job.Result = result;
            job.Error = error;
            job.FinishedAt = runner.Clock.GetUtcNow();
            await SaveAsync();
            LogPhase(runner.Logger, job.Id, job.Address, job.Source, state);
            var info = MigrationInfo.Of(job);
            runner.Service.Publish(info);
            await runner.Audit.RecordAsync(job.StartedBy, "local", MigrationService.FinishAction, job.Address, state, CancellationToken.None);
            if (!job.Reported)
            {
                await runner.Reports.SendAsync(job, CancellationToken.None);
                job.Reported = true;
                await SaveAsync();
            }

            runner.Service.RaiseFinished(info);
        }

        private void DeleteWork()
        {
            _manifestWriter?.Dispose();
            _manifestWriter = null;
            if (Directory.Exists(_work))
            {
                Directory.Delete(_work, recursive: true);
            }
        }

        private void LoadManifest()
        {
            if (!File.Exists(ManifestPath))
            {
                return;
            }

            foreach (var line in File.ReadLines(ManifestPath))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab > 0)
                {
                    _manifest[line[..tab]] = line[(tab + 1)..];
                }
            }
        }

        private async Task SetStateAsync(string state)
        {
            job.State = state;
            await SaveAsync();
            LogPhase(runner.Logger, job.Id, job.Address, job.Source, state);
            Publish(force: true);
        }

        private async Task SaveAsync()
        {
            await using var db = await runner.Databases.CreateDbContextAsync(CancellationToken.None);
            var cancelRequested = await db.MigrationJobs.AsNoTracking().Where(j => j.Id == job.Id).Select(j => j.CancelRequested).SingleAsync(CancellationToken.None);
            job.CancelRequested |= cancelRequested;
            db.MigrationJobs.Update(job);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        private void Publish(bool force)
        {
            var now = runner.Clock.GetUtcNow();
            if (!force && now - _lastProgress < ProgressInterval)
            {
                return;
            }

            _lastProgress = now;
            runner.Service.Publish(MigrationInfo.Of(job));
        }

        private void EnsureMaildir(string folder)
        {
            if (!_ensured.Add(folder))
            {
                return;
            }

            foreach (var leaf in new[] { "tmp", "new", "cur" })
            {
                DurableFiles.CreatePrivateDirectory(Path.Combine(folder, leaf));
            }
        }

        private static async Task<string> HashAsync(string path)
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        }

        private static string Size(long bytes) => bytes switch
        {
            >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GB"),
            >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        };
    }
}
