using MailAdmin.Core.Accounts;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.Components;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class Home
{
    private NodeInfo? _info;
    private AdminPrincipal? _admin;

    [Inject]
    private NodeInfoService Node { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _admin = await GetAdminAsync();
        _info = await Node.DescribeAsync(_admin, CancellationToken.None);
    }

    private static string RoleText(NodeRole role) => role switch
    {
        NodeRole.Master => "Master of a distributed domain",
        NodeRole.Slave => "Slave of a distributed domain",
        _ => "Standalone: not part of a distributed domain",
    };
}
