using Bunit;
using MailAdmin.Core.Accounts;
using MailAdmin.Web.Components.Layout;
using MailAdmin.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailAdmin.Tests.Components;

/// <summary>
/// The console's navigation for each role, decided by the node's real authorization
/// policies (not bUnit's stand-in, which would only echo what the test says).
/// </summary>
public sealed class NavMenuTests
{
    /// <summary>Every link of the menu and who sees it. A new link is one more row.</summary>
    private static readonly NavLinkRow[] Links =
    [
        //  link                    server-rw  server-ro  domain-admin
        new("Dashboard",            true,      true,      true),
        new("Domains",              true,      true,      true),
        new("Users",                true,      true,      true),
        new("Aliases and lists",    true,      true,      true),
        new("Global Address List",  true,      true,      true),
        new("Resources",            true,      true,      true),
        new("Meeting planner",      true,      true,      true),
        new("Migration",            true,      true,      true),
        new("Mail queue",           true,      true,      true),
        new("Audit log",            true,      true,      false),
        new("Administrators",       true,      true,      false),
        new("Licence",              true,      true,      false),
        new("Change password",      true,      true,      true),
    ];

    public static TheoryData<AdminRole> Roles() => [.. Enum.GetValues<AdminRole>()];

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Render_EachRole_ShowsExactlyTheLinksOfItsRole(AdminRole role)
    {
        await using var context = ConsoleTestContext.Create();
        context.SignIn("someone", role, role == AdminRole.DomainAdmin ? "company.com" : null);
        UseRealPolicies(context.Services);

        var menu = context.Render<NavMenu>();

        var shown = menu.FindAll(".mud-nav-link").Select(a => a.TextContent.Trim()).Order(StringComparer.Ordinal).ToList();
        var expected = Links.Where(l => l.VisibleTo(role)).Select(l => l.Text).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, shown);
    }

    private static void UseRealPolicies(IServiceCollection services)
    {
        services.AddLogging();
        services.AddPermissionPolicies();
        services.RemoveAll<IAuthorizationService>();
        services.RemoveAll<IAuthorizationPolicyProvider>();
        services.AddSingleton<IAuthorizationService, DefaultAuthorizationService>();
        services.AddSingleton<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>();
    }

    private sealed record NavLinkRow(string Text, bool ServerReadWrite, bool ServerReadOnly, bool DomainAdmin)
    {
        public bool VisibleTo(AdminRole role) => role switch
        {
            AdminRole.ServerReadWrite => ServerReadWrite,
            AdminRole.ServerReadOnly => ServerReadOnly,
            AdminRole.DomainAdmin => DomainAdmin,
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "A new role needs its column in the table of links."),
        };
    }
}
