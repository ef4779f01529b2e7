using MailAdmin.Core.Configuration;
using MailAdmin.Core.Storage;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Builds and runs one node. Tests build several nodes in one process with
/// <see cref="Create"/>; <see cref="RunAsync"/> is the command line's way in,
/// and turns a bad setting into one line on standard error and exit code 2.
/// </summary>
public static partial class NodeHost
{
    public const int BadSettingExitCode = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Create(args);
        }
        catch (InvalidSettingException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return BadSettingExitCode;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (StartupFailure.Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync(message);
            return BadSettingExitCode;
        }
    }

    /// <summary>Builds a node from command-line style arguments; it starts with <c>StartAsync</c>.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // The build output holds appsettings.json and the static web assets manifest,
            // wherever the node is started from.
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(NodeHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseStaticWebAssets();
        ListenUrls.Check(builder.Configuration["urls"]);
        var settings = NodeSettings.Read(builder.Configuration);
        var dataDirLock = DataDirLock.Acquire(settings.Node.DataDir);
        try
        {
            builder.AddMailAdmin(settings);
            configure?.Invoke(builder);
            var app = builder.Build();
            app.Lifetime.ApplicationStopped.Register(dataDirLock.Dispose);
            app.UseMailAdmin();
            return app;
        }
        catch
        {
            dataDirLock.Dispose();
            throw;
        }
    }
}
