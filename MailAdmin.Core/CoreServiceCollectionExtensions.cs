using MailAdmin.Core.Accounts;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Scheduling;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers the node's settings, its database and the account services.</summary>
    public static IServiceCollection AddMailAdminCore(this IServiceCollection services, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Node);
        services.AddSingleton(settings.Cluster);
        services.AddSingleton(settings.Smtp);
        services.AddSingleton(settings.Admin);
        services.AddSingleton(settings.Directory);
        services.AddSingleton(settings.Queue);
        services.AddSingleton(settings.Migration);
        services.AddSingleton(settings.Licence);
        services.AddSingleton(TimeProvider.System);

        services.AddDbContextFactory<NodeDbContext>(options =>
            options.UseSqlite($"Data Source={settings.Node.DatabasePath};Pooling=True"));
        services.AddSingleton<NodeDatabase>();

        services.AddSingleton<AuditLog>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<DirectoryAdministrators>();
        services.AddSingleton<AdministratorService>();
        services.AddSingleton<LicenceService>();
        services.AddSingleton<NodeInfoService>();
        services.AddSingleton<IDirectoryClient, LdapDirectoryClient>();
        services.AddSingleton<DomainService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<AddressBookService>();
        services.AddSingleton<GalService>();
        services.AddSingleton<DirectorySyncService>();
        services.AddMailEngine();
        services.AddDistribution();
        services.AddScheduling();
        return services;
    }
}
