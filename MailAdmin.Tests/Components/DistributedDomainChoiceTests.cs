using Bunit;
using MailAdmin.Core.Distribution;
using MailAdmin.Web.Components.Pages;
using MudBlazor;

namespace MailAdmin.Tests.Components;

/// <summary>The wizard's last page: the master's fingerprint and the domains it can distribute.</summary>
public sealed class DistributedDomainChoiceTests : IAsyncLifetime
{
    private const string Fingerprint = "3F:A1:07:9C:5E:22:B4:D8:61:0A:EE:93:47:C5:1B:76:2D:F0:88:39:A6:54:CB:12:7E:E5:03:9D:B1:64:2A:C7";

    private readonly BunitContext _context = ConsoleTestContext.Create();
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;

    public Task InitializeAsync()
    {
        _popovers = _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public void Render_MasterWithDomains_ShowsTheFingerprintToCheckAndTheDomains()
    {
        var choice = _context.Render<DistributedDomainChoice>(p => p.Add(c => c.Info, new DistributableInfo(Fingerprint, ["company.com", "xn--bcher-kva.example"])));

        Assert.Equal(Fingerprint, choice.Find("[data-testid=wizard-fingerprint]").TextContent.Trim());
        Assert.Equal("Check this fingerprint with the master's administrator before you go on.", choice.Find("[data-testid=wizard-fingerprint-check]").TextContent.Trim());
        Assert.Empty(choice.FindAll("[data-testid=wizard-no-domains]"));
        choice.Find(".mud-select .mud-input-control").MouseDown();
        _popovers.WaitForAssertion(() => Assert.Equal(["company.com", "bücher.example"],
            _popovers.FindAll(".mud-list-item-text").Select(i => i.TextContent.Trim())));
    }

    [Fact]
    public void Render_MasterWithoutDistributableDomains_ExplainsWhatToSetOnTheMaster()
    {
        var choice = _context.Render<DistributedDomainChoice>(p => p.Add(c => c.Info, new DistributableInfo(Fingerprint, [])));

        Assert.Contains("Only domains with a directory service can be distributed", choice.Find("[data-testid=wizard-no-domains]").TextContent, StringComparison.Ordinal);
        Assert.Empty(choice.FindAll("[data-testid=wizard-domain]"));
        Assert.Equal(Fingerprint, choice.Find("[data-testid=wizard-fingerprint]").TextContent.Trim());
    }
}
