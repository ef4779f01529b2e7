using System.Collections.Concurrent;

namespace MailAdmin.Core.MailboxMigration;

/// <summary>
/// Deletes folders a migration set aside (a source's old copy) in the background: deleting
/// thousands of files takes seconds on some disks, and nobody needs to wait for it. The node
/// waits for them when it stops; a folder a crash left is deleted at the next start.
/// </summary>
public sealed class FolderRemovals
{
    private readonly ConcurrentDictionary<Task, bool> _pending = new();

    public void Remove(string folder)
    {
        var task = Task.Run(() => DeleteQuietly(folder));
        _pending[task] = true;
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Returns when every removal started so far has ended.</summary>
    public Task DrainAsync() => Task.WhenAll(_pending.Keys);

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start.
        }
    }
}
