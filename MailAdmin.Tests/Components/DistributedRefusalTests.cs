using Bunit;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;
using MailAdmin.Web.Components.Pages;

namespace MailAdmin.Tests.Components;

/// <summary>How the console shows each refusal of a join: Core's message, what to do, and on which wizard page.</summary>
public sealed class DistributedRefusalTests : IAsyncLifetime
{
    private readonly BunitContext _context = ConsoleTestContext.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Theory]
    [InlineData("self-connect", ErrorKind.Conflict, "This is the server you are signed in to: enter the master's address.")]
    [InlineData("connect-to-slave", ErrorKind.Conflict, "connect to its master instead")]
    [InlineData("inaccessible-host", ErrorKind.Unavailable, "peer port (44337 unless changed)")]
    [InlineData("invalid-credentials", ErrorKind.Unauthenticated, "whole-server read/write rights on the master")]
    [InlineData("incompatible-version", ErrorKind.Conflict, "same MailAdmin version")]
    [InlineData("fingerprint-mismatch", ErrorKind.Conflict, "check it with the master's administrator")]
    [InlineData("directory-missing-remote", ErrorKind.Conflict, "no directory service on the master")]
    [InlineData("directory-missing-local", ErrorKind.Conflict, "set the same one as on the master")]
    [InlineData("directory-different", ErrorKind.Conflict, "set the same directory service on both")]
    [InlineData("not-a-slave", ErrorKind.Conflict, "click its name to open it")]
    public void Render_EachRefusal_ShowsItsMessageAndWhatToDo(string code, ErrorKind kind, string advice)
    {
        var refusal = new MailAdminException(kind, code, $"Core says no ({code}).");

        var alert = _context.Render<ClusterRefusal>(p => p.Add(c => c.Refusal, refusal));

        Assert.Equal(code, alert.Find("[data-testid=cluster-refusal]").GetAttribute("data-code"));
        Assert.Equal($"Core says no ({code}).", alert.Find("[data-testid=cluster-refusal-message]").TextContent.Trim());
        Assert.Contains(advice, alert.Find("[data-testid=cluster-refusal-advice]").TextContent, StringComparison.Ordinal);
        Assert.Empty(alert.FindAll("[data-testid=cluster-conflicts]"));
    }

    [Fact]
    public void Render_DataConflict_ListsTypeNameAndHomeServerOfEachConflict()
    {
        var refusal = new MailAdminException(ErrorKind.Conflict, "data-conflict", "Some items exist on both servers.")
        {
            Details = new Dictionary<string, object?>
            {
                ["conflicts"] = new List<ConflictInfo>
                {
                    new("mailbox", "ann@company.com", "company.com", "mail"),
                    new("alias", "sales@company.com", "company.com", "seattle"),
                    new("domain-alias", "company.net", "company.com", "mail"),
                },
            },
        };

        var alert = _context.Render<ClusterRefusal>(p => p.Add(c => c.Refusal, refusal));

        var rows = alert.FindAll("[data-testid=cluster-conflicts] tbody tr")
            .Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(c => c.TextContent.Trim())));
        Assert.Equal(["Mailbox | ann@company.com | mail", "Alias | sales@company.com | seattle", "Domain alias | company.net | mail"], rows);
        Assert.Equal(["Type", "Name", "Already in the domain on"], alert.FindAll("[data-testid=cluster-conflicts] th").Select(h => h.TextContent.Trim()));
        Assert.Equal("Delete or rename these on one side, then connect again.", alert.Find("[data-testid=cluster-refusal-advice]").TextContent.Trim());
    }

    [Fact]
    public void Render_RefusalWithoutAdvice_ShowsOnlyItsMessage()
    {
        var alert = _context.Render<ClusterRefusal>(p => p.Add(c => c.Refusal, MailAdminException.Forbidden("Your role does not allow this.")));

        Assert.Equal("Your role does not allow this.", alert.Find("[data-testid=cluster-refusal-message]").TextContent.Trim());
        Assert.Empty(alert.FindAll("[data-testid=cluster-refusal-advice]"));
    }

    [Theory]
    [InlineData("self-connect", DistributedDomainWizard.MasterStep)]
    [InlineData("connect-to-slave", DistributedDomainWizard.MasterStep)]
    [InlineData("inaccessible-host", DistributedDomainWizard.MasterStep)]
    [InlineData("invalid-credentials", DistributedDomainWizard.MasterStep)]
    [InlineData("incompatible-version", DistributedDomainWizard.MasterStep)]
    [InlineData("fingerprint-mismatch", DistributedDomainWizard.DomainStep)]
    [InlineData("data-conflict", DistributedDomainWizard.DomainStep)]
    [InlineData("directory-missing-remote", DistributedDomainWizard.DomainStep)]
    [InlineData("directory-missing-local", DistributedDomainWizard.DomainStep)]
    [InlineData("directory-different", DistributedDomainWizard.DomainStep)]
    public void StepOf_EachJoinRefusal_IsThePageWhereItIsFixed(string code, int step) =>
        Assert.Equal(step, DistributedDomainWizard.StepOf(code));
}
