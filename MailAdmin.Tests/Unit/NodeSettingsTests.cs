using MailAdmin.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailAdmin.Tests.Unit;

public sealed class NodeSettingsTests : IDisposable
{
    private const string ValidPassword = "Initial-Secret-1";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"mailadmin-settings-{Guid.NewGuid():N}");

    private string DataDir => Path.Combine(_root, "data");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Read_OnlyNameAndDataDir_UsesDefaults()
    {
        var settings = Read(("Node:Name", "node1"));

        Assert.Equal(44337, settings.Cluster.Port);
        Assert.Equal(2525, settings.Smtp.Port);
        Assert.Equal(2587, settings.Smtp.SubmissionPort);
        Assert.Null(settings.Smtp.RelayHost);
        Assert.Null(settings.Admin.InitialPassword);
        Assert.Equal("node1", settings.Node.Name);
    }

    [Fact]
    public void Read_NoPublicHost_DefaultsToNodeName()
    {
        var settings = Read(("Node:Name", "mail1.example.com"));

        Assert.Equal("mail1.example.com", settings.Node.PublicHost);
    }

    [Fact]
    public void Read_PublicHostGiven_KeepsIt()
    {
        var settings = Read(("Node:Name", "node1"), ("Node:PublicHost", "192.0.2.7"));

        Assert.Equal("192.0.2.7", settings.Node.PublicHost);
    }

    [Fact]
    public void Read_DataDirWithDotSegments_IsMadeAbsoluteAndCreated()
    {
        var written = Path.Combine(_root, "elsewhere", "..", "data");

        var settings = ReadWith(written, ("Node:Name", "node1"));

        Assert.True(Path.IsPathFullyQualified(settings.Node.DataDir));
        Assert.Equal(DataDir, settings.Node.DataDir);
        Assert.True(Directory.Exists(DataDir));
        Assert.Equal(Path.Combine(DataDir, "node.db"), settings.Node.DatabasePath);
        Assert.Empty(Directory.EnumerateFileSystemEntries(DataDir));
    }

    [Fact]
    public void Read_RelativeDataDir_IsResolvedAgainstTheCurrentDirectory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, DataDir);
        Assert.False(Path.IsPathRooted(relative));

        var settings = ReadWith(relative, ("Node:Name", "node1"));

        Assert.Equal(DataDir, settings.Node.DataDir);
        Assert.True(Directory.Exists(DataDir));
    }

    [Fact]
    public void Read_DataDirIsAFile_ThrowsNamingDataDir()
    {
        Directory.CreateDirectory(_root);
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "not a folder");

        var e = Assert.Throws<InvalidSettingException>(() => ReadWith(file, ("Node:Name", "node1")));

        AssertNames(e, "Node:DataDir");
    }

    [Theory]
    [InlineData("Cluster:Port", "abc")]
    [InlineData("Cluster:Port", "65536")]
    [InlineData("Cluster:Port", "-1")]
    [InlineData("Cluster:Port", " 12x")]
    [InlineData("Smtp:Port", "smtp")]
    [InlineData("Smtp:SubmissionPort", "70000")]
    [InlineData("Smtp:RelayHost", "host:0")]
    [InlineData("Smtp:RelayHost", "host:abc")]
    [InlineData("Smtp:RelayHost", "bad host")]
    [InlineData("Node:Name", "my node")]
    [InlineData("Node:Name", "-node")]
    [InlineData("Node:Name", "node-")]
    [InlineData("Node:Name", "node_1")]
    [InlineData("Node:PublicHost", "bad host")]
    [InlineData("Admin:InitialPassword", "short")]
    [InlineData("Admin:InitialPassword", "123456789")]
    public void Read_MalformedValue_ThrowsNamingTheSetting(string key, string value)
    {
        var e = Assert.Throws<InvalidSettingException>(() => Read(("Node:Name", "node1"), (key, value)));

        AssertNames(e, key);
    }

    [Fact]
    public void Read_NodeNameOf300Characters_ThrowsNamingNodeName()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        Assert.Equal(304, name.Length);

        var e = Assert.Throws<InvalidSettingException>(() => Read(("Node:Name", name)));

        AssertNames(e, "Node:Name");
    }

    [Fact]
    public void Read_NodeNameOf300CharactersInOneLabel_ThrowsNamingNodeName()
    {
        var e = Assert.Throws<InvalidSettingException>(() => Read(("Node:Name", new string('a', 300))));

        AssertNames(e, "Node:Name");
    }

    [Fact]
    public void Read_MalformedSetting_DoesNotCreateTheDataDir()
    {
        Assert.Throws<InvalidSettingException>(() => Read(("Node:Name", "node1"), ("Cluster:Port", "abc")));

        Assert.False(Directory.Exists(DataDir));
    }

    [Fact]
    public void Read_SubmissionPortEqualsSmtpPort_ThrowsNamingSubmissionPort()
    {
        var e = Assert.Throws<InvalidSettingException>(() =>
            Read(("Node:Name", "node1"), ("Smtp:Port", "2600"), ("Smtp:SubmissionPort", "2600")));

        AssertNames(e, "Smtp:SubmissionPort");
        Assert.Contains("2600", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BothSmtpPortsZero_IsAccepted()
    {
        var settings = Read(("Node:Name", "node1"), ("Smtp:Port", "0"), ("Smtp:SubmissionPort", "0"));

        Assert.Equal(0, settings.Smtp.Port);
        Assert.Equal(0, settings.Smtp.SubmissionPort);
    }

    [Theory]
    [InlineData("relay.example.com:2525", "relay.example.com", 2525)]
    [InlineData("relay.example.com", "relay.example.com", 25)]
    [InlineData("[::1]:25", "::1", 25)]
    public void Read_ValidRelayHost_IsParsed(string raw, string host, int port)
    {
        var settings = Read(("Node:Name", "node1"), ("Smtp:RelayHost", raw));

        Assert.Equal((host, port), settings.Smtp.RelayHost);
    }

    [Fact]
    public void Read_InitialPasswordOfTenCharacters_IsAccepted()
    {
        var settings = Read(("Node:Name", "node1"), ("Admin:InitialPassword", "0123456789"));

        Assert.Equal("0123456789", settings.Admin.InitialPassword);
    }

    [Fact]
    public void Read_InitialPasswordWithOuterSpaces_IsKeptExactly()
    {
        const string password = "  " + ValidPassword + " ";

        var settings = Read(("Node:Name", "node1"), ("Admin:InitialPassword", password));

        Assert.Equal(password, settings.Admin.InitialPassword);
    }

    [Fact]
    public void Read_InitialPasswordOnlySpaces_ThrowsNamingInitialPassword()
    {
        var e = Assert.Throws<InvalidSettingException>(() => Read(("Node:Name", "node1"), ("Admin:InitialPassword", new string(' ', 12))));

        AssertNames(e, "Admin:InitialPassword");
    }

    private static void AssertNames(InvalidSettingException e, string key)
    {
        Assert.Equal(key, e.Setting);
        Assert.StartsWith($"Invalid setting {key}:", e.Message, StringComparison.Ordinal);
    }

    private NodeSettings Read(params (string Key, string? Value)[] values) => ReadWith(DataDir, values);

    // Later values win, as on a command line that repeats an option.
    private static NodeSettings ReadWith(string dataDir, params (string Key, string? Value)[] values)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Node:DataDir"] = dataDir };
        foreach (var (key, value) in values)
        {
            settings[key] = value;
        }

        return NodeSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }
}
