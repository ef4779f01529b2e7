using MailAdmin.Core.Distribution;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

/// <summary>
/// A refused join or disconnect as the console shows it: Core's message, then what to do about
/// this kind of refusal, and for a <c>data-conflict</c> the items that exist on both sides.
/// </summary>
public sealed partial class ClusterRefusal
{
    private static readonly Dictionary<string, string> AdviceByCode = new(StringComparer.Ordinal)
    {
        ["self-connect"] = "This is the server you are signed in to: enter the master's address.",
        ["connect-to-slave"] = "That server is a slave of another master: connect to its master instead.",
        ["inaccessible-host"] = "Check the master's address and peer port (44337 unless changed), that the master is running, and that no firewall blocks the way between the two servers.",
        ["invalid-credentials"] = "Enter the user name and password of an administrator with whole-server read/write rights on the master.",
        ["incompatible-version"] = "Both servers must run the same MailAdmin version: upgrade the older one, then connect again.",
        ["fingerprint-mismatch"] = "The master now shows another certificate than the one you checked. Go back and read its fingerprint again, and check it with the master's administrator before you go on.",
        ["data-conflict"] = "Delete or rename these on one side, then connect again.",
        ["directory-missing-remote"] = "The domain has no directory service on the master: set one there (Domains page), then connect again.",
        ["directory-missing-local"] = "This server's domain of the same name has no directory service: set the same one as on the master, then connect again.",
        ["directory-different"] = "This server's domain of the same name uses another directory service than the master's: set the same directory service on both, then connect again.",
        ["not-a-slave"] = "Only a slave can be disconnected. A server is disconnected from its own administration console: click its name to open it.",
    };

    /// <summary>The refusal: a <see cref="MailAdminException"/> from <see cref="ClusterService"/>.</summary>
    [Parameter]
    [EditorRequired]
    public MailAdminException Refusal { get; set; } = default!;

    /// <summary>What the administrator can do about a refusal with this code, or null when its message says it all.</summary>
    public static string? Advice(string code) => AdviceByCode.GetValueOrDefault(code);

    /// <summary>The items a <c>data-conflict</c> refusal names; empty for any other refusal.</summary>
    public static IReadOnlyList<ConflictInfo> Conflicts(MailAdminException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Details?.GetValueOrDefault("conflicts") as IEnumerable<ConflictInfo> is { } conflicts ? [.. conflicts] : [];
    }

    private static string TypeLabel(string type) => type switch
    {
        "mailbox" => "Mailbox",
        "alias" => "Alias",
        "list" => "Mailing list",
        "resource" => "Resource",
        "domain-alias" => "Domain alias",
        _ => type,
    };
}
