using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.CardDav;

public static class CardDavServiceCollectionExtensions
{
    /// <summary>The Global Address List as CardDAV address books, with sync tokens kept under the node's data folder.</summary>
    public static IServiceCollection AddGlobalAddressBook(this IServiceCollection services)
    {
        services.AddSingleton<SyncSnapshots>();
        services.AddSingleton<GlobalAddressBook>();
        return services;
    }
}
