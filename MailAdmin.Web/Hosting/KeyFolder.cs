namespace MailAdmin.Web.Hosting;

/// <summary>The data-protection key folder, readable by the node's user only.</summary>
internal static class KeyFolder
{
    public static DirectoryInfo Prepare(string path)
    {
        var folder = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return folder;
    }
}
