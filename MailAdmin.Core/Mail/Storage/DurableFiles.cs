using System.Runtime.InteropServices;

namespace MailAdmin.Core.Mail.Storage;

/// <summary>
/// What "on disk" means for mail: a file's data and the directory entry that names it both
/// reach stable storage. .NET syncs files (<see cref="FileStream.Flush(bool)"/>) but cannot open a
/// directory to sync it, so that goes through libc on Unix.
/// </summary>
internal static partial class DurableFiles
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;

    /// <summary>Syncs the directory itself, so entries created or renamed in it survive a crash.</summary>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals metadata; there is no directory handle to flush.
        }

        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno is ENOSPC or EDQUOT
                    ? new MailStorageFullException($"The disk holding {path} is full.")
                    : new IOException($"Cannot sync {path} (errno {errno}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Brings every file and directory entry of the file system holding <paramref name="path"/> to
    /// stable storage at once (<c>syncfs</c>): for many files written in a row, far cheaper than one
    /// sync each.
    /// </summary>
    public static void SyncFileSystem(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Syncfs(fd) != 0)
            {
                throw new IOException($"Cannot sync the file system of {path} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>True when <paramref name="exception"/> says the disk (or the quota) is full.</summary>
    public static bool IsDiskFull(Exception exception) => exception switch
    {
        MailStorageFullException => true,
        IOException io => (io.HResult & 0xFFFF) is ENOSPC or EDQUOT or 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 13 /* SQLITE_FULL */,
        _ => false,
    };

    /// <summary>Creates <paramref name="path"/> readable by the node's account only.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int Syncfs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
