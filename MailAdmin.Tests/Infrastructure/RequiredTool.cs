namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// Locates the external programs that integration tests drive (slapd, Chromium, ...).
/// A missing tool fails the test with the command that installs it: tests never skip
/// silently, so a green run always means the real thing was exercised.
/// </summary>
public static class RequiredTool
{
    // sbin directories are often missing from a non-root PATH, yet slapd and slapadd live there.
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/usr/bin", "/sbin"];

    public static string Find(string executable, string installHint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        ArgumentException.ThrowIfNullOrWhiteSpace(installHint);

        var candidates = Path.IsPathRooted(executable)
            ? [executable]
            : SearchDirectories().Select(directory => Path.Combine(directory, executable));

        return candidates.FirstOrDefault(IsExecutable)
            ?? throw new InvalidOperationException(
                $"{Path.GetFileName(executable)} is not installed: run `{installHint}` (./test.sh does this when run as root).");
    }

    private static IEnumerable<string> SearchDirectories()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(ExtraDirectories)
            .Distinct(StringComparer.Ordinal);
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0;
    }
}
