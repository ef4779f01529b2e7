using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit;

public sealed class AccessPolicyTests
{
    private const string OwnDomain = "example.com";
    private const string OtherDomain = "other.example";

    private static readonly AdminPrincipal ReadWrite = new("local:admin", "admin", AdminRole.ServerReadWrite, null);
    private static readonly AdminPrincipal ReadOnly = new("local:auditor", "auditor", AdminRole.ServerReadOnly, null);
    private static readonly AdminPrincipal DomainAdmin = new("user:ann@example.com", "ann@example.com", AdminRole.DomainAdmin, OwnDomain);

    // Domains asked about: none, the domain admin's own (in two spellings), and another.
    private static readonly string?[] Domains = [null, OwnDomain, "EXAMPLE.COM", OtherDomain];

    public static TheoryData<Permission> AllPermissions() => [.. Enum.GetValues<Permission>()];

    public static TheoryData<Permission, string?> AllPermissionsWithDomains()
    {
        var data = new TheoryData<Permission, string?>();
        foreach (var permission in Enum.GetValues<Permission>())
        {
            foreach (var domain in Domains)
            {
                data.Add(permission, domain);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPermissionsWithDomains))]
    public void Allows_ServerReadWrite_AllowsEverything(Permission permission, string? domain)
    {
        Assert.True(AccessPolicy.Allows(ReadWrite, permission, domain));
    }

    [Theory]
    [MemberData(nameof(AllPermissionsWithDomains))]
    public void Allows_ServerReadOnly_AllowsOnlyViewingAndOwnPassword(Permission permission, string? domain)
    {
        // A permission added later must be decided for read-only: only View* and
        // ChangeOwnPassword may be held by someone who "changes nothing".
        var expected = permission.ToString().StartsWith("View", StringComparison.Ordinal)
            || permission == Permission.ChangeOwnPassword;

        Assert.Equal(expected, AccessPolicy.Allows(ReadOnly, permission, domain));
    }

    [Theory]
    [InlineData(Permission.ManageAdministrators)]
    [InlineData(Permission.ManageDomains)]
    [InlineData(Permission.ManageUsers)]
    [InlineData(Permission.ManageCluster)]
    [InlineData(Permission.ManageQueue)]
    public void Allows_ServerReadOnlyAnyChange_ReturnsFalse(Permission permission)
    {
        Assert.False(AccessPolicy.Allows(ReadOnly, permission));
        Assert.False(AccessPolicy.Allows(ReadOnly, permission, OwnDomain));
    }

    [Theory]
    [MemberData(nameof(AllPermissionsWithDomains))]
    public void Allows_DomainAdmin_AllowsOwnDomainUsersAndQueueOnly(Permission permission, string? domain)
    {
        var domainScoped = permission is Permission.ViewDomains or Permission.ViewUsers or Permission.ManageUsers or Permission.ViewQueue;
        var ownOrUnnamed = domain is null || string.Equals(domain, OwnDomain, StringComparison.OrdinalIgnoreCase);
        var expected = permission is Permission.ViewNode or Permission.ChangeOwnPassword
            || (domainScoped && ownOrUnnamed);

        Assert.Equal(expected, AccessPolicy.Allows(DomainAdmin, permission, domain));
    }

    [Theory]
    [InlineData(Permission.ViewDomains)]
    [InlineData(Permission.ViewUsers)]
    [InlineData(Permission.ManageUsers)]
    [InlineData(Permission.ViewQueue)]
    public void Allows_DomainAdminOtherDomain_ReturnsFalse(Permission permission)
    {
        Assert.False(AccessPolicy.Allows(DomainAdmin, permission, OtherDomain));
        Assert.False(AccessPolicy.Allows(DomainAdmin, permission, "sub.example.com"));
    }

    [Theory]
    [InlineData(Permission.ViewAudit)]
    [InlineData(Permission.ViewAdministrators)]
    [InlineData(Permission.ManageAdministrators)]
    [InlineData(Permission.ManageDomains)]
    [InlineData(Permission.ManageCluster)]
    [InlineData(Permission.ManageQueue)]
    public void Allows_DomainAdminServerWidePermission_ReturnsFalseEvenForOwnDomain(Permission permission)
    {
        Assert.False(AccessPolicy.Allows(DomainAdmin, permission));
        Assert.False(AccessPolicy.Allows(DomainAdmin, permission, OwnDomain));
    }

    [Fact]
    public void Allows_ViewQueue_DomainAdminForOwnDomain_ButManageQueueOnlyForReadWrite()
    {
        // The mail queue page and GET /api/v1/queue ask without a domain; the queue service then
        // narrows what a domain administrator sees to their domain's recipients.
        Assert.True(AccessPolicy.Allows(DomainAdmin, Permission.ViewQueue));
        Assert.True(AccessPolicy.Allows(DomainAdmin, Permission.ViewQueue, OwnDomain));
        Assert.False(AccessPolicy.Allows(DomainAdmin, Permission.ViewQueue, OtherDomain));
        Assert.True(AccessPolicy.Allows(ReadOnly, Permission.ViewQueue, OtherDomain));
        Assert.True(AccessPolicy.Allows(ReadWrite, Permission.ViewQueue, OtherDomain));

        Assert.False(AccessPolicy.Allows(DomainAdmin, Permission.ManageQueue, OwnDomain));
        Assert.False(AccessPolicy.Allows(ReadOnly, Permission.ManageQueue));
        Assert.True(AccessPolicy.Allows(ReadWrite, Permission.ManageQueue));
    }

    [Fact]
    public void Demand_NotAllowed_ThrowsForbidden()
    {
        var e = Assert.Throws<MailAdminException>(() => AccessPolicy.Demand(ReadOnly, Permission.ManageAdministrators));

        Assert.Equal("forbidden", e.Code);
        Assert.Equal(ErrorKind.Forbidden, e.Kind);
        Assert.Contains(AdminRole.ServerReadOnly.DisplayName(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Demand_DomainAdminOtherDomain_ThrowsForbidden()
    {
        var e = Assert.Throws<MailAdminException>(() => AccessPolicy.Demand(DomainAdmin, Permission.ManageUsers, OtherDomain));

        Assert.Equal("forbidden", e.Code);
        Assert.Equal(ErrorKind.Forbidden, e.Kind);
    }

    [Theory]
    [MemberData(nameof(AllPermissions))]
    public void Demand_ServerReadWrite_DoesNotThrow(Permission permission)
    {
        AccessPolicy.Demand(ReadWrite, permission, OtherDomain);
    }

    [Theory]
    [MemberData(nameof(AllPermissions))]
    public void Demand_AgreesWithAllows(Permission permission)
    {
        foreach (var principal in new[] { ReadWrite, ReadOnly, DomainAdmin })
        {
            foreach (var domain in Domains)
            {
                var allowed = AccessPolicy.Allows(principal, permission, domain);
                var thrown = Record.Exception(() => AccessPolicy.Demand(principal, permission, domain));

                if (allowed)
                {
                    Assert.Null(thrown);
                }
                else
                {
                    Assert.Equal(ErrorKind.Forbidden, Assert.IsType<MailAdminException>(thrown).Kind);
                }
            }
        }
    }

    [Fact]
    public void DomainScope_DomainAdmin_ReturnsTheirDomain()
    {
        Assert.Equal(OwnDomain, AccessPolicy.DomainScope(DomainAdmin));
    }

    [Fact]
    public void DomainScope_ServerRoles_ReturnsNull()
    {
        Assert.Null(AccessPolicy.DomainScope(ReadWrite));
        Assert.Null(AccessPolicy.DomainScope(ReadOnly));
    }
}
