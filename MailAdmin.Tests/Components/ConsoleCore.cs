using Bunit;
using MailAdmin.Core;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The real Core services for a page under test, on a SQLite database in a
/// temporary folder of its own, removed on dispose.
/// </summary>
internal sealed class ConsoleCore : IAsyncDisposable
{
    private readonly BunitContext _context;

    private ConsoleCore(BunitContext context, string dataDir)
    {
        _context = context;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    public IServiceProvider Services => _context.Services;

    /// <summary>Registers Core in <paramref name="context"/>; call before the first service is resolved.</summary>
    public static ConsoleCore Add(BunitContext context, string nodeName = "node1", params KeyValuePair<string, string?>[] options)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-page-{Guid.NewGuid():N}");
        var settings = NodeSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Node:Name", nodeName), new("Node:DataDir", dataDir), .. options])
            .Build());
        context.Services.AddMailAdminCore(settings);
        context.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        return new ConsoleCore(context, dataDir);
    }

    public Task MigrateAsync() => _context.Services.GetRequiredService<NodeDatabase>().MigrateAsync(CancellationToken.None);

    public T Get<T>()
        where T : notnull => _context.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
