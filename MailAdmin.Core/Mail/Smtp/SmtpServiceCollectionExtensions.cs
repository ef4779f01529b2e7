using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailAdmin.Core.Mail.Smtp;

public static class SmtpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SMTP listeners (incoming and submission) as a hosted service. They need
    /// <see cref="SmtpOptions"/>, <c>NodeOptions</c>, a <see cref="TimeProvider"/> and the mail
    /// engine's <see cref="IMessageSpool"/>, <see cref="IRecipientPolicy"/> and
    /// <see cref="ISmtpAuthenticator"/>, registered elsewhere.
    /// </summary>
    public static IServiceCollection AddSmtpListeners(this IServiceCollection services)
    {
        services.TryAddSingleton<SmtpEndpoints>();
        services.TryAddSingleton<SmtpAuthRule>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SmtpListenerService>();
        services.AddHostedService(provider => provider.GetRequiredService<SmtpListenerService>());
        return services;
    }
}
