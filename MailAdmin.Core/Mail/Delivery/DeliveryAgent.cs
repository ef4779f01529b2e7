using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Mail.Storage;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Delivery;

/// <summary>
/// Takes queued messages to their recipients: expands aliases, lists and groups, then sends
/// each final recipient to its next hop (<see cref="NextHopRouter"/>): local mailboxes here,
/// other nodes of the distributed domain through <see cref="IPeerTransport"/> (one transaction
/// per node), the Internet through <see cref="IRemoteTransport"/> (one per domain). Temporary
/// failures are retried on the queue's schedule, with each recipient's next hop kept in the
/// queue; when a node comes back (<see cref="IClusterTopology.PeerReturned"/>) everything
/// waiting for it is retried at once instead. What fails for good gets one bounce. A 250 from
/// another server is committed (synced) before anything else happens, so a crash can repeat a
/// forward but never lose one. A message leaves the queue when every recipient is done.
/// </summary>
public sealed partial class DeliveryAgent : BackgroundService
{
    /// <summary>More <c>Received:</c> headers than this is a mail loop (RFC 5321 §6.3).</summary>
    public const int MaxHops = 50;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly MailQueue _queue;
    private readonly RecipientDirectory _directory;
    private readonly MaildirStore _maildir;
    private readonly IRemoteTransport _remote;
    private readonly IPeerTransport _peers;
    private readonly NextHopRouter _router;
    private readonly MailboxHolds _holds;
    private readonly IClusterTopology _topology;
    private readonly CalendarInbox _calendar;
    private readonly QueueOptions _options;
    private readonly SmtpOptions _smtp;
    private readonly TimeProvider _clock;
    private readonly ILogger<DeliveryAgent> _logger;
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    // Messages asked for again while an attempt of theirs was running: run once more after it.
    private readonly ConcurrentDictionary<string, bool> _again = new(StringComparer.Ordinal);

    // Nodes that came back, and when (a sequence number, not a time: the clock may be a test's).
    private readonly Channel<(string Hop, string Why)> _returned = Channel.CreateUnbounded<(string Hop, string Why)>();
    private readonly ConcurrentDictionary<string, long> _returnedAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private long _returns;

    public DeliveryAgent(
        MailQueue queue,
        RecipientDirectory directory,
        MaildirStore maildir,
        IRemoteTransport remote,
        IPeerTransport peers,
        NextHopRouter router,
        MailboxHolds holds,
        IClusterTopology topology,
        CalendarInbox calendar,
        QueueOptions options,
        SmtpOptions smtp,
        TimeProvider clock,
        ILogger<DeliveryAgent> logger)
    {
        _queue = queue;
        _directory = directory;
        _maildir = maildir;
        _remote = remote;
        _peers = peers;
        _router = router;
        _holds = holds;
        _topology = topology;
        _calendar = calendar;
        _options = options;
        _smtp = smtp;
        _clock = clock;
        _logger = logger;
        _slots = new SemaphoreSlim(options.DeliveryConcurrency, options.DeliveryConcurrency);
    }

    /// <summary>Starts delivery of every message due now and waits until those attempts are done.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _queue.Due(_clock.GetUtcNow(), 10_000))
        {
            Schedule(id, cancellationToken);
        }

        await Task.WhenAll(_inFlight.Values).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ready = Task.Run(async () =>
        {
            await foreach (var id in _queue.Ready.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Schedule(id, stoppingToken, again: true);
            }
        }, stoppingToken);
        var returned = Task.Run(() => RetryReturnedAsync(stoppingToken), stoppingToken);
        _topology.PeerReturned += OnPeerReturned;
        _holds.Released += OnHoldReleased;
        try
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _topology.PeerReturned -= OnPeerReturned;
            _holds.Released -= OnHoldReleased;
        }

        await Task.WhenAll(_inFlight.Values.Append(ready).Append(returned)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Picks up what comes due as time passes (retries after their backoff).</summary>
    private async Task PollAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in _queue.Due(_clock.GetUtcNow(), 1000))
                {
                    Schedule(id, stoppingToken);
                }

                await Task.Delay(PollInterval, _clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                LogQueueUnreadable(_logger, e);
                await Task.Delay(PollInterval, _clock, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void OnPeerReturned(object? sender, PeerEventArgs e)
    {
        // An attempt that started before this and fails for that node is retried at once, not after its backoff.
        HopReady(NextHop.NodeKey(e.NodeName), $"Node {e.NodeName} is back");
    }

    /// <summary>A migration released a mailbox: the mail held for it goes now (to its new home, if it moved).</summary>
    private void OnHoldReleased(object? sender, string address) => HopReady(NextHop.HoldKey(address), $"The mailbox of {address} is no longer held");

    private void HopReady(string hop, string why)
    {
        _returnedAt[hop] = Interlocked.Increment(ref _returns);
        _returned.Writer.TryWrite((hop, why));
    }

    /// <summary>Every recipient waiting for a node that came back, or for a mailbox released, is due now; the queue hands their messages over.</summary>
    private async Task RetryReturnedAsync(CancellationToken cancellationToken)
    {
        await foreach (var (hop, why) in _returned.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var count = await _queue.RetryHopNowAsync(hop, cancellationToken).ConfigureAwait(false);
                LogPeerReturned(_logger, why, count);
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                LogQueueUnreadable(_logger, e);
            }
        }
    }

    /// <param name="again">When an attempt of the message is running: run another after it (what it read may be stale).</param>
    private void Schedule(string id, CancellationToken cancellationToken, bool again = false)
    {
        if (again)
        {
            _again[id] = true;
        }

        if (_inFlight.ContainsKey(id))
        {
            return;
        }

        var start = new TaskCompletionSource();
        var work = RunAsync(start.Task);
        if (_inFlight.TryAdd(id, work))
        {
            _again.TryRemove(id, out _);
            start.SetResult();
        }
        else
        {
            start.SetCanceled(CancellationToken.None);
        }

        async Task RunAsync(Task gate)
        {
            try
            {
                await gate.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await _slots.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                _inFlight.TryRemove(id, out _);
                return;
            }

            try
            {
                // Expanding an alias adds recipients that are due at once: take them in the same run.
                for (var round = 0; round < RecipientDirectory.MaxExpansionDepth + 2 && await DeliverAsync(id, cancellationToken).ConfigureAwait(false); round++)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeliveryCrashed(_logger, e, id);
            }
            finally
            {
                _slots.Release();
                _inFlight.TryRemove(id, out _);
                if (_again.TryRemove(id, out _) && !cancellationToken.IsCancellationRequested)
                {
                    Schedule(id, cancellationToken);
                }
            }
        }
    }

    /// <summary>One delivery attempt of the recipients of <paramref name="id"/> that are due. True when some are due again at once (expansion added recipients, or a node came back meanwhile).</summary>
    private async Task<bool> DeliverAsync(string id, CancellationToken cancellationToken)
    {
        if (_queue.Load(id) is not var (message, content) || message.Held)
        {
            return false;
        }

        var now = _clock.GetUtcNow();
        if (!content.Exists)
        {
            LogContentMissing(_logger, id);
            await _queue.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var due = message.Recipients.Where(r => r.State == RecipientState.Pending && r.NextAttempt <= now).ToList();
        var results = new List<Result>(due.Count);
        var returnsBefore = Interlocked.Read(ref _returns);
        if (due.Count > 0)
        {
            if (CountHops(content) > MaxHops)
            {
                results.AddRange(due.Select(r => Result.Failed(r, $"554 5.4.6 Mail loop: the message passed more than {MaxHops} servers (Received: headers) and was stopped.")));
            }
            else
            {
                var calendar = _calendar.Scan(message.Id, content.OpenRead);
                if (message.SubmittedBy is not null && message.Sender is { } sender && due.Any(r => r.Attempts == 0 && r.Original is null))
                {
                    // What a user of this node sends (invitations they organise, their answers) is in their calendar too; once, at the first attempt.
                    await _calendar.SubmittedAsync(sender, calendar, cancellationToken).ConfigureAwait(false);
                }

                await AttemptAsync(message, due, content, calendar, results, cancellationToken).ConfigureAwait(false);
            }
        }

        var expanded = results.Any(r => r.Kind == ResultKind.Expanded && r.NewRecipients.Count > 0);
        var retryNow = MarkReturnedHops(results, returnsBefore);
        await RecordAsync(message, results, now, content, cancellationToken).ConfigureAwait(false);
        return expanded || retryNow;
    }

    /// <summary>Deferrals for a node that came back during the attempt are due again at once. True when there are any.</summary>
    private bool MarkReturnedHops(List<Result> results, long returnsBefore)
    {
        var any = false;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i] is { Kind: ResultKind.Deferred, Hop: { } hop } && _returnedAt.TryGetValue(hop, out var at) && at > returnsBefore)
            {
                results[i] = results[i] with { RetryAtOnce = true };
                any = true;
            }
        }

        return any;
    }

    private async Task AttemptAsync(QueuedMessage message, List<QueuedRecipient> due, MessageContent content, CalendarInbox.CalendarScan calendar, List<Result> results, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(message.Recipients.Select(r => r.Address), StringComparer.OrdinalIgnoreCase);
        var final = new List<QueuedRecipient>();
        foreach (var recipient in due)
        {
            var targets = _directory.Expand(recipient.Address);
            if (targets.Count == 1 && string.Equals(targets[0], recipient.Address, StringComparison.OrdinalIgnoreCase))
            {
                final.Add(recipient);
            }
            else
            {
                results.Add(Result.Expand(recipient, targets.Where(known.Add).ToList()));
            }
        }

        // Every final recipient to its next hop; one transaction per peer node and per Internet domain.
        var peers = new Dictionary<string, (NextHop Hop, List<QueuedRecipient> Recipients)>(StringComparer.Ordinal);
        var internet = new Dictionary<string, (NextHop Hop, List<QueuedRecipient> Recipients)>(StringComparer.OrdinalIgnoreCase);
        foreach (var recipient in final)
        {
            var path = MailPath.FromAddress(recipient.Address);
            if (path is null)
            {
                results.Add(Result.Failed(recipient, $"553 5.1.3 <{recipient.Address}> is not a valid address."));
                continue;
            }

            NextHop hop;
            if (_directory.IsLocalDomain(path.Domain))
            {
                var target = _directory.Find(path);
                if (LocalRecipientPolicy.RefusalFor(target, path) is { } refusal)
                {
                    results.Add(Result.Failed(recipient, refusal.ToString()));
                    continue;
                }

                if (target is not RecipientTarget.Mailbox mailbox)
                {
                    // Aliases, lists and groups were expanded before; one that appeared since is tried again.
                    results.Add(Result.Deferred(recipient, $"451 4.3.0 <{recipient.Address}> changed while the message waited; will try again.", NextHop.Local.Key));
                    continue;
                }

                hop = _router.ForMailbox(mailbox);
                if (hop.Kind == HopKind.Local)
                {
                    // A mailbox being switched to another server: its mail waits, neither bounced nor written into the copy that moves.
                    using var writing = _holds.TryEnterDelivery(mailbox.Address);
                    var local = writing is null
                        ? Result.Deferred(recipient, $"451 4.2.1 The mailbox of <{mailbox.Address}> is being moved to another server; the message waits and is delivered when the move ends.", NextHop.HoldKey(mailbox.Address))
                        : await DeliverLocallyAsync(message, recipient, mailbox, content, cancellationToken).ConfigureAwait(false);
                    if (local.Kind == ResultKind.Delivered)
                    {
                        // Under the migration hold, so that the calendar that moves with the mailbox has it.
                        await _calendar.DeliveredAsync(mailbox, calendar, cancellationToken).ConfigureAwait(false);
                    }

                    results.Add(local);
                    continue;
                }
            }
            else
            {
                hop = _router.ForExternal(path.Domain);
            }

            var groups = hop.Kind == HopKind.Peer ? peers : internet;
            if (!groups.TryGetValue(hop.Key, out var group))
            {
                groups[hop.Key] = group = (hop, []);
            }

            group.Recipients.Add(recipient);
        }

        foreach (var (hop, recipients) in peers.Values)
        {
            if (hop.Peer is not { } peer)
            {
                results.AddRange(recipients.Select(r => Result.Deferred(r, $"451 4.4.0 Node {hop.Target}, where <{r.Address}> goes next, is not a member of the distributed domain as this node knows it; the message waits for it.", hop.Key)));
                continue;
            }

            var outcomes = await _peers.SendAsync(peer, message.Sender, recipients.Select(r => r.Address).ToList(), content.OpenRead, cancellationToken).ConfigureAwait(false);
            await AddOutcomesAsync(message, hop, recipients, outcomes, results).ConfigureAwait(false);
        }

        foreach (var (hop, recipients) in internet.Values)
        {
            var outcomes = await _remote.SendAsync(hop.Target, message.Sender, recipients.Select(r => r.Address).ToList(), content.OpenRead, cancellationToken).ConfigureAwait(false);
            await AddOutcomesAsync(message, hop, recipients, outcomes, results).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The outcomes of one transaction with another server. What it took is committed as
    /// delivered at once, synced, and whatever happens next (a crash, a stop, the other hops):
    /// otherwise a restart would send it again.
    /// </summary>
    private async Task AddOutcomesAsync(QueuedMessage message, NextHop hop, List<QueuedRecipient> recipients, IReadOnlyList<RemoteOutcome> outcomes, List<Result> results)
    {
        var added = new List<Result>(recipients.Count);
        foreach (var recipient in recipients)
        {
            var outcome = outcomes.FirstOrDefault(o => string.Equals(o.Recipient, recipient.Address, StringComparison.OrdinalIgnoreCase))
                ?? new RemoteOutcome(recipient.Address, false, false, "451 4.4.0 No answer for this recipient.");
            added.Add(outcome.Delivered ? Result.Delivered(recipient, outcome.Reply)
                : outcome.Permanent ? Result.Failed(recipient, outcome.Reply)
                : Result.Deferred(recipient, outcome.Reply, hop.Key));
        }

        var delivered = added.Where(r => r.Kind == ResultKind.Delivered).ToList();
        if (delivered.Count > 0)
        {
            await _queue.Database.WriteAsync((connection, transaction) =>
            {
                using var update = QueueDatabase.Command(connection, transaction,
                    "UPDATE recipients SET state = $state, remote_reply = $reply, next_hop = NULL WHERE message_id = $id AND idx = $idx");
                update.Parameters.AddWithValue("$id", message.Id);
                update.Parameters.AddWithValue("$state", (int)RecipientState.Delivered);
                var reply = update.Parameters.Add("$reply", SqliteType.Text);
                var idx = update.Parameters.Add("$idx", SqliteType.Integer);
                foreach (var result in delivered)
                {
                    reply.Value = result.Reply;
                    idx.Value = result.Recipient.Index;
                    update.ExecuteNonQuery();
                }
            }, CancellationToken.None, synced: true).ConfigureAwait(false);
        }

        results.AddRange(added);
    }

    private async Task<Result> DeliverLocallyAsync(QueuedMessage message, QueuedRecipient recipient, RecipientTarget.Mailbox mailbox, MessageContent content, CancellationToken cancellationToken)
    {
        try
        {
            var key = MaildirStore.DeliveryKey(message.ReceivedAt, message.Id, recipient.Index);
            var fresh = await _maildir.DeliverAsync(_maildir.MailboxPath(mailbox.Domain, mailbox.LocalPart), key, message.Sender, mailbox.Address, content.OpenRead, cancellationToken).ConfigureAwait(false);
            if (!fresh)
            {
                LogAlreadyDelivered(_logger, message.Id, mailbox.Address);
            }

            return Result.Delivered(recipient, "250 2.0.0 Delivered to the mailbox.");
        }
        catch (IOException e) when (DurableFiles.IsDiskFull(e))
        {
            return Result.Deferred(recipient, "452 4.3.1 The mailbox disk is full; will try again.", NextHop.Local.Key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogLocalFailed(_logger, e, message.Id, mailbox.Address);
            return Result.Deferred(recipient, $"451 4.3.0 The mailbox could not be written ({e.Message}); will try again.", NextHop.Local.Key);
        }
    }

    private async Task RecordAsync(QueuedMessage message, List<Result> results, DateTimeOffset now, MessageContent content, CancellationToken cancellationToken)
    {
        var expiry = message.ReceivedAt + _options.MaxLifetime;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Kind == ResultKind.Deferred && now >= expiry)
            {
                var days = _options.MaxLifetime.TotalDays;
                results[i] = Result.Failed(results[i].Recipient, $"{results[i].Reply} (gave up after {(days >= 1 ? $"{days:0.#} days" : $"{_options.MaxLifetime.TotalHours:0.#} hours")} of trying)");
            }
        }

        foreach (var result in results)
        {
            var level = result.Kind is ResultKind.Failed or ResultKind.Deferred ? LogLevel.Warning : LogLevel.Information;
            var outcome = result.Kind switch
            {
                ResultKind.Delivered => "delivered",
                ResultKind.Deferred => "deferred",
                ResultKind.Failed => "failed",
                _ => null,
            };
            if (outcome is not null)
            {
                LogRecipient(_logger, level, message.Id, result.Recipient.Address, outcome, result.Reply);
            }
        }

        // A bounce is queued (durably) before the failures are recorded: a crash in between
        // can repeat a bounce, never lose one.
        var failures = results.Where(r => r.Kind == ResultKind.Failed).ToList();
        if (failures.Count > 0 && CanNotify(message))
        {
            await NotifyAsync(message, failures, delayed: false, content, now, cancellationToken).ConfigureAwait(false);
        }

        var nextIndex = message.Recipients.Count == 0 ? 0 : message.Recipients.Max(r => r.Index) + 1;
        var remaining = message.Recipients.Count(r => !r.IsFinal) - results.Count(r => r.Kind != ResultKind.Deferred)
            + results.Where(r => r.Kind == ResultKind.Expanded).Sum(r => r.NewRecipients.Count);
        await _queue.Database.WriteAsync((connection, transaction) =>
        {
            if (remaining <= 0)
            {
                // Every recipient is done: the message leaves the queue in the same transaction.
                using var delete = QueueDatabase.Command(connection, transaction, "DELETE FROM messages WHERE id = $id");
                delete.Parameters.AddWithValue("$id", message.Id);
                delete.ExecuteNonQuery();
                return;
            }

            using var update = QueueDatabase.Command(connection, transaction, """
                UPDATE recipients SET state = $state, attempts = attempts + $tried, next_attempt = $next, last_error = $error, remote_reply = $reply, next_hop = $hop
                WHERE message_id = $id AND idx = $idx
                """);
            update.Parameters.AddWithValue("$id", message.Id);
            var state = update.Parameters.Add("$state", SqliteType.Integer);
            var tried = update.Parameters.Add("$tried", SqliteType.Integer);
            var next = update.Parameters.Add("$next", SqliteType.Integer);
            var error = update.Parameters.Add("$error", SqliteType.Text);
            var reply = update.Parameters.Add("$reply", SqliteType.Text);
            var hop = update.Parameters.Add("$hop", SqliteType.Text);
            var idx = update.Parameters.Add("$idx", SqliteType.Integer);
            foreach (var result in results)
            {
                idx.Value = result.Recipient.Index;
                state.Value = (int)(result.Kind switch
                {
                    ResultKind.Delivered => RecipientState.Delivered,
                    ResultKind.Failed => RecipientState.Failed,
                    ResultKind.Expanded => RecipientState.Expanded,
                    _ => RecipientState.Pending,
                });
                tried.Value = result.Kind == ResultKind.Expanded ? 0 : 1;
                next.Value = result.Kind == ResultKind.Deferred
                    ? (result.RetryAtOnce ? now : now + _options.RetryDelay(result.Recipient.Attempts + 1)).ToUnixTimeMilliseconds()
                    : result.Recipient.NextAttempt.ToUnixTimeMilliseconds();
                error.Value = result.Kind is ResultKind.Failed or ResultKind.Deferred ? result.Reply : DBNull.Value;
                reply.Value = result.Kind == ResultKind.Delivered ? result.Reply : DBNull.Value;
                hop.Value = result.Kind == ResultKind.Deferred ? (object?)result.Hop ?? DBNull.Value : DBNull.Value;
                update.ExecuteNonQuery();
                if (result.Kind == ResultKind.Expanded && result.NewRecipients.Count > 0)
                {
                    QueueDatabase.InsertRecipients(connection, transaction, message.Id, nextIndex, result.NewRecipients, result.Recipient.Original ?? result.Recipient.Address, now);
                    nextIndex += result.NewRecipients.Count;
                }
            }
        }, cancellationToken, synced: false).ConfigureAwait(false);

        if (remaining <= 0)
        {
            if (!content.IsInline)
            {
                File.Delete(content.Path);
            }

            return;
        }

        if (_options.DelayWarning is { } warning && !message.DelayWarned && now - message.ReceivedAt >= warning && CanNotify(message))
        {
            var deferred = results.Where(r => r.Kind == ResultKind.Deferred).ToList();
            if (deferred.Count > 0)
            {
                await NotifyAsync(message, deferred, delayed: true, content, now, cancellationToken).ConfigureAwait(false);
                await _queue.Database.WriteAsync((connection, transaction) =>
                {
                    using var mark = QueueDatabase.Command(connection, transaction, "UPDATE messages SET delay_warned = 1 WHERE id = $id");
                    mark.Parameters.AddWithValue("$id", message.Id);
                    mark.ExecuteNonQuery();
                }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A notification is never answered with another (RFC 3464 §2, RFC 5321 §4.5.5).
    private static bool CanNotify(QueuedMessage message) => message.Kind == MessageKind.Mail && message.Sender is not null;

    private async Task NotifyAsync(QueuedMessage message, List<Result> recipients, bool delayed, MessageContent content, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reported = recipients.Select(r => new ReportedRecipient(
            r.Recipient.Address,
            r.Recipient.Original,
            DeliveryReports.StatusOf(r.Reply, permanent: !delayed),
            r.Reply)).ToList();
        MimeKit.MimeMessage report;
        await using (var original = content.OpenRead())
        {
            report = DeliveryReports.Build(_smtp.HostName, message, reported, delayed, original, now, message.ReceivedAt + _options.MaxLifetime);
        }

        var id = await _queue.EnqueueAsync(null, [message.Sender!], MessageKind.Notification, stream => report.WriteToAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
        LogNotified(_logger, delayed ? "delay warning" : "bounce", message.Id, message.Sender!, id);
    }

    private static int CountHops(MessageContent content)
    {
        using var reader = new StreamReader(content.OpenRead(), Encoding.Latin1, detectEncodingFromByteOrderMarks: false, bufferSize: 8192);
        var hops = 0;
        var read = 0;
        while (reader.ReadLine() is { } line && line.Length > 0 && read < 1024 * 1024)
        {
            read += line.Length + 2;
            if (line.StartsWith("Received:", StringComparison.OrdinalIgnoreCase))
            {
                hops++;
            }
        }

        return hops;
    }

    [LoggerMessage(Message = "{QueueId} to <{Recipient}>: {Outcome}, {Reply}")]
    private static partial void LogRecipient(ILogger logger, LogLevel level, string queueId, string recipient, string outcome, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId} was already in the mailbox of {Recipient} (a repeated attempt after a restart); not delivered twice.")]
    private static partial void LogAlreadyDelivered(ILogger logger, string queueId, string recipient);

    [LoggerMessage(Level = LogLevel.Error, Message = "Local delivery of {QueueId} to {Recipient} failed; will try again.")]
    private static partial void LogLocalFailed(ILogger logger, Exception exception, string queueId, string recipient);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent a {Kind} about {QueueId} to <{Sender}> as {NoticeId}.")]
    private static partial void LogNotified(ILogger logger, string kind, string queueId, string sender, string noticeId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The file of queued message {QueueId} is missing; the message is removed from the queue.")]
    private static partial void LogContentMissing(ILogger logger, string queueId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of {QueueId} failed unexpectedly; it stays queued and is tried again.")]
    private static partial void LogDeliveryCrashed(ILogger logger, Exception exception, string queueId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Why}: {Count} messages waiting for it are retried now.")]
    private static partial void LogPeerReturned(ILogger logger, string why, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail queue cannot be read; retrying.")]
    private static partial void LogQueueUnreadable(ILogger logger, Exception exception);

    private enum ResultKind
    {
        Delivered,
        Deferred,
        Failed,
        Expanded,
    }

    /// <param name="Hop">Where a deferred recipient waits to go (<see cref="NextHop.Key"/>).</param>
    /// <param name="RetryAtOnce">Deferred, but its node came back meanwhile: due again now rather than after the backoff.</param>
    private sealed record Result(QueuedRecipient Recipient, ResultKind Kind, string Reply, IReadOnlyList<string> NewRecipients, string? Hop = null, bool RetryAtOnce = false)
    {
        public static Result Delivered(QueuedRecipient recipient, string reply) => new(recipient, ResultKind.Delivered, reply, []);

        public static Result Deferred(QueuedRecipient recipient, string reply, string? hop) => new(recipient, ResultKind.Deferred, reply, [], hop);

        public static Result Failed(QueuedRecipient recipient, string reply) => new(recipient, ResultKind.Failed, reply, []);

        public static Result Expand(QueuedRecipient recipient, IReadOnlyList<string> targets) => new(recipient, ResultKind.Expanded, "expanded", targets);
    }
}
