using MailAdmin.Core.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailAdmin.Web.Security;

/// <summary>An authorization requirement that asks Core's <see cref="AccessPolicy"/>.</summary>
public sealed class PermissionRequirement(Permission permission) : IAuthorizationRequirement
{
    public Permission Permission { get; } = permission;
}

internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.User.ToAdmin() is { } admin && AccessPolicy.Allows(admin, requirement.Permission))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Policy names: one per <see cref="Permission"/>, named after it.</summary>
public static class Policies
{
    public static string For(Permission permission) => permission.ToString();

    /// <summary>What users of a domain may read about it (the Global Address List, free/busy), and administrators who see its users.</summary>
    public const string DomainReader = "DomainReader";
}

public static class PermissionPolicies
{
    /// <summary>
    /// One authorization policy per <see cref="Permission"/>, decided by <see cref="AccessPolicy"/>:
    /// what the API's endpoints, the console's pages and its menu ask.
    /// </summary>
    public static IServiceCollection AddPermissionPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationCore(options =>
        {
            // Users of the domain (HTTP Basic with their mail password) and administrators who may see users.
            options.AddPolicy(Policies.DomainReader, policy => policy
                .AddAuthenticationSchemes(MailUserAuthenticationHandler.Schemes)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.ToMailUser() is not null
                    || (context.User.ToAdmin() is { } admin && AccessPolicy.Allows(admin, Permission.ViewUsers))));
            foreach (var permission in Enum.GetValues<Permission>())
            {
                options.AddPolicy(Policies.For(permission), policy => policy
                    .RequireAuthenticatedUser()
                    .AddRequirements(new PermissionRequirement(permission)));
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, PermissionHandler>());
        return services;
    }
}
