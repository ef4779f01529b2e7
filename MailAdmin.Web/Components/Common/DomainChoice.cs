using MailAdmin.Core.Domains;

namespace MailAdmin.Web.Components.Common;

/// <summary>Which domain a page that shows one domain at a time opens on.</summary>
public static class DomainChoice
{
    /// <summary>The domain named in the link (<c>?domain=</c>, any form) when the administrator sees it, else the first; null when there is none.</summary>
    public static string? Initial(IReadOnlyList<DomainInfo> domains, string? requested)
    {
        ArgumentNullException.ThrowIfNull(domains);
        var wanted = requested is not null && DomainNames.TryNormalize(requested, out var ascii) ? ascii : null;
        return domains.FirstOrDefault(d => d.Name == wanted)?.Name ?? (domains.Count > 0 ? domains[0].Name : null);
    }
}
