using System.Collections.Concurrent;

namespace MailAdmin.Core.Mail.Storage;

/// <summary>
/// Group commit for directory syncs: concurrent deliveries into one folder (a busy mailbox's
/// <c>new/</c>) share one <c>fsync</c> instead of queueing one each. A caller whose rename is
/// done waits for a sync that <b>started after</b> it asked: the one running may have begun
/// before its rename, so it joins the next one, which then covers everyone who asked meanwhile.
/// </summary>
public sealed class DirectorySyncGroup
{
    private readonly ConcurrentDictionary<string, Folder> _folders = new(StringComparer.Ordinal);
    private readonly Action<string> _sync;

    public DirectorySyncGroup()
        : this(DurableFiles.SyncDirectory)
    {
    }

    internal DirectorySyncGroup(Action<string> sync) => _sync = sync;

    /// <summary>Completes once <paramref name="path"/> was synced by an fsync that began after this call.</summary>
    public Task SyncAsync(string path)
    {
        var folder = _folders.GetOrAdd(path, static _ => new Folder());
        TaskCompletionSource mine;
        lock (folder)
        {
            folder.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            mine = folder.Next;
            if (folder.Running)
            {
                return mine.Task; // The running sync's loop takes the next round for everyone waiting.
            }

            folder.Running = true;
        }

        // No sync running: this caller does the rounds itself, its own first.
        RunRounds(path, folder);
        return mine.Task;
    }

    private void RunRounds(string path, Folder folder)
    {
        while (true)
        {
            TaskCompletionSource round;
            lock (folder)
            {
                if (folder.Next is null)
                {
                    folder.Running = false;
                    return;
                }

                round = folder.Next;
                folder.Next = null;
            }

            try
            {
                _sync(path);
                round.SetResult();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                round.SetException(e);
            }
        }
    }

    private sealed class Folder
    {
        public bool Running { get; set; }

        public TaskCompletionSource? Next { get; set; }
    }
}
