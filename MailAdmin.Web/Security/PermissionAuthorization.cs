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
