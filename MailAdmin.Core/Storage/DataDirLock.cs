using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Storage;

/// <summary>
/// Keeps a second node off a data directory that a running node owns: two
/// nodes on one database and spool would corrupt both. The lock is the OS's
/// own file lock on <c>node.lock</c>, so it is released when the process dies.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirLock(FileStream file) => _file = file;

    public static DataDirLock Acquire(string dataDir)
    {
        var path = Path.Combine(dataDir, "node.lock");
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }

            file.Flush(flushToDisk: true);
            return new DataDirLock(file);
        }
        catch (IOException)
        {
            throw new InvalidSettingException("Node:DataDir", $"'{dataDir}' is in use by another running node. Stop that node, or give this one a data directory of its own.");
        }
    }

    public void Dispose() => _file.Dispose();
}
