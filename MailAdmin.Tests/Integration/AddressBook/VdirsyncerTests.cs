using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>
/// A real CardDAV client, vdirsyncer (Debian package <c>vdirsyncer</c>), discovers the Global
/// Address List from nothing but the node's address and a user's directory password, syncs it
/// into a folder of .vcf files, and drops a user who was hidden from the list on the next sync.
/// </summary>
public sealed class VdirsyncerTests(CardDavFixture fixture) : IClassFixture<CardDavFixture>, IDisposable
{
    private const string InstallHint = "apt-get install -y vdirsyncer";
    private const string Dan = "dan.brown@company.com";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("mailadmin-vdirsyncer-").FullName;

    [Fact]
    public async Task Vdirsyncer_SyncsOneFilePerEntryOfTheList_AndRemovesAUserHiddenFromIt()
    {
        var vdirsyncer = RequiredTool.Find("vdirsyncer", InstallHint);
        var config = Path.Combine(_folder, "config");
        await File.WriteAllTextAsync(config, Config(fixture.Node.BaseAddress, "bob.smith@company.com", CompanyDirectory.UserPassword));

        // discover asks whether to create the local collection: yes.
        await RunAsync(vdirsyncer, ["-c", config, "discover", "gal"], "y\n");
        await RunAsync(vdirsyncer, ["-c", config, "sync"]);

        var addresses = await GalAddressesAsync();
        Assert.Equal(addresses.Select(a => "mailto:" + a).Order(StringComparer.Ordinal), Uids().Values.Order(StringComparer.Ordinal));

        try
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = true })).StatusCode);
            await RunAsync(vdirsyncer, ["-c", config, "sync"]);

            var after = Uids();
            Assert.Equal(addresses.Count - 1, after.Count);
            Assert.DoesNotContain("mailto:" + Dan, after.Values);
        }
        finally
        {
            await fixture.Admin.PutAsJsonAsync($"api/v1/users/{Dan}", new { hideFromAddressList = false });
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// The whole configuration: the remote side is the node's root URL (vdirsyncer finds the
    /// book through /.well-known/carddav), read-only; the local side a folder of .vcf files.
    /// </summary>
    private string Config(Uri node, string user, string password) => $"""
        [general]
        status_path = "{_folder}/status/"

        [pair gal]
        a = "gal_remote"
        b = "gal_local"
        collections = ["from a"]

        [storage gal_remote]
        type = "carddav"
        url = "{node}"
        username = "{user}"
        password = "{password}"
        read_only = true

        [storage gal_local]
        type = "filesystem"
        path = "{_folder}/contacts/"
        fileext = ".vcf"
        """;

    /// <summary>File → UID of every card synced, each read strictly.</summary>
    private Dictionary<string, string> Uids()
    {
        var book = Path.Combine(_folder, "contacts", "company.com");
        Assert.True(Directory.Exists(book), $"vdirsyncer made no folder for the book company.com; it made: {string.Join(", ", Directory.GetDirectories(Path.Combine(_folder, "contacts")))}");
        return Directory.GetFiles(book, "*.vcf").ToDictionary(
            file => file,
            file =>
            {
                try
                {
                    return StrictVCard.Parse(File.ReadAllBytes(file)).Single(p => p.Name == "UID").Value;
                }
                catch (FormatException e)
                {
                    throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file)} is not a valid vCard 4.0: {e.Message}\n{File.ReadAllText(file)}");
                }
            },
            StringComparer.Ordinal);
    }

    private async Task<List<string>> GalAddressesAsync()
    {
        using var json = JsonDocument.Parse(await fixture.Admin.GetStringAsync("api/v1/gal?domain=company.com&pageSize=500"));
        return [.. json.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("address").GetString()!)];
    }

    private async Task RunAsync(string executable, string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Its own HOME, so nothing from the machine's user (another config, a cache) takes part.
        start.Environment["HOME"] = _folder;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_folder, ".config");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"vdirsyncer {string.Join(' ', arguments)} did not finish in {ToolTimeout.TotalSeconds} s:\n{await output}\n{await errors}");
        }

        Assert.True(process.ExitCode == 0, $"vdirsyncer {string.Join(' ', arguments.Skip(2))} exited with {process.ExitCode}:\n{await output}\n{await errors}");
    }
}
