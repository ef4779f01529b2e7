using MailAdmin.Core.Distribution;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>The wizard's last page: the master's fingerprint to check, and the domain to distribute.</summary>
public sealed partial class DistributedDomainChoice
{
    [Parameter]
    [EditorRequired]
    public DistributableInfo Info { get; set; } = default!;

    [Parameter]
    public string? Domain { get; set; }

    [Parameter]
    public EventCallback<string?> DomainChanged { get; set; }

    [Parameter]
    public bool Disabled { get; set; }
}
