using MailAdmin.Core.MailboxMigration;

namespace MailAdmin.Tests.Unit.Migration;

public sealed class MaildirFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("maildir-files").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("new/1700.Q1R0.host", "msg:/1700.Q1R0.host")]
    [InlineData("cur/1700.Q1R0.host:2,S", "msg:/1700.Q1R0.host")]
    [InlineData("cur/1700.Q1R0.host:2,RS", "msg:/1700.Q1R0.host")]
    [InlineData(".Sent/cur/1700.X:2,S", "msg:.Sent/1700.X")]
    [InlineData(".Sent/new/1700.X", "msg:.Sent/1700.X")]
    [InlineData("dovecot-uidlist", "file:dovecot-uidlist")]
    [InlineData(".Sent/dovecot-keywords", "file:.Sent/dovecot-keywords")]
    public void AMessageKeepsItsKeyAcrossFlagChangesAndTheMoveFromNewToCur(string path, string key) =>
        Assert.Equal(key, new MaildirFile(path, 1).Key);

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("new/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("new\\x")]
    [InlineData("new//x")]
    [InlineData("new/./x")]
    [InlineData("new/x\0")]
    public void APathThatClimbsOutOrIsNotPlain_IsRefused(string path) =>
        Assert.Throws<ArgumentException>(() => MaildirFiles.Resolve(_root, path));

    [Fact]
    public void ListingSkipsFilesBeingWritten_AndNamesTheRestRelativeToTheMaildir()
    {
        foreach (var folder in new[] { "tmp", "new", "cur", ".Sent/cur", ".Sent/tmp" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
        }

        File.WriteAllText(Path.Combine(_root, "tmp", "half"), "x");
        File.WriteAllText(Path.Combine(_root, ".Sent", "tmp", "half"), "x");
        File.WriteAllText(Path.Combine(_root, "new", "a"), "abc");
        File.WriteAllText(Path.Combine(_root, ".Sent", "cur", "b:2,S"), "de");
        File.WriteAllText(Path.Combine(_root, "subscriptions"), "Sent\n");

        var files = MaildirFiles.List(_root).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

        Assert.Equal([".Sent/cur/b:2,S", "new/a", "subscriptions"], files.Select(f => f.Path));
        Assert.Equal([2L, 3L, 5L], files.Select(f => f.Size));
        Assert.Equal([true, true, false], files.Select(f => f.IsMessage));
    }
}
