using MailAdmin.Core.Accounts;
using Microsoft.AspNetCore.Authorization;

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
