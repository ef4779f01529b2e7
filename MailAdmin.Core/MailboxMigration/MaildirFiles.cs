namespace MailAdmin.Core.MailboxMigration;

/// <summary>A file of a Maildir: its path relative to the Maildir ('/' separators) and size.</summary>
public sealed record MaildirFile(string Path, long Size)
{
    /// <summary>
    /// The file's identity across flag changes. A message file (in a <c>new</c> or <c>cur</c>
    /// folder) is named by its folder and base name, the part before <c>:2,</c>, since a flag
    /// change or the move from <c>new</c> to <c>cur</c> only renames it; any other file (a client's
    /// index or subscriptions) by its path.
    /// </summary>
    public string Key => MaildirFiles.KeyOf(Path);

    public bool IsMessage => MaildirFiles.IsMessagePath(Path);
}

/// <summary>Lists a Maildir the way a migration compares two copies of it.</summary>
public static class MaildirFiles
{
    /// <summary>Every file under <paramref name="root"/> except those being written (<c>tmp</c> folders).</summary>
    public static List<MaildirFile> List(string root)
    {
        var files = new List<MaildirFile>();
        if (!Directory.Exists(root))
        {
            return files;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        foreach (var info in new DirectoryInfo(root).EnumerateFiles("*", options))
        {
            var relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            if (IsInTmp(relative))
            {
                continue;
            }

            try
            {
                files.Add(new MaildirFile(relative, info.Length));
            }
            catch (FileNotFoundException)
            {
                // Deleted while listed: the next pass sees it gone.
            }
        }

        return files;
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>; refuses anything that climbs out.</summary>
    public static string Resolve(string root, string relative)
    {
        ArgumentException.ThrowIfNullOrEmpty(relative);
        if (relative.Contains('\\', StringComparison.Ordinal) || relative.Contains('\0', StringComparison.Ordinal) || relative.StartsWith('/')
            || relative.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"'{relative}' is not a path inside a Maildir.", nameof(relative));
        }

        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"'{relative}' is not a path inside a Maildir.", nameof(relative));
    }

    internal static bool IsMessagePath(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        var folder = path[..slash];
        var last = folder.LastIndexOf('/');
        var leaf = last < 0 ? folder : folder[(last + 1)..];
        return leaf is "new" or "cur";
    }

    internal static string KeyOf(string path)
    {
        if (!IsMessagePath(path))
        {
            return "file:" + path;
        }

        var slash = path.LastIndexOf('/');
        var folder = path[..slash];
        var parent = folder.LastIndexOf('/') is var last and >= 0 ? folder[..last] : string.Empty;
        var name = path[(slash + 1)..];
        var flags = name.IndexOf(":2,", StringComparison.Ordinal);
        return "msg:" + parent + "/" + (flags < 0 ? name : name[..flags]);
    }

    private static bool IsInTmp(string relative) =>
        relative.StartsWith("tmp/", StringComparison.Ordinal) || relative.Contains("/tmp/", StringComparison.Ordinal);
}
