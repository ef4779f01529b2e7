using MailAdmin.Core.MailboxMigration;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>A refused <i>Migrate Here</i>: each user that cannot move and why, since nothing started.</summary>
public sealed partial class MigrationRefusalDialog
{
    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>Each refused user and why, from <see cref="MigrationText.Refusals"/>.</summary>
    [Parameter]
    public IReadOnlyList<MigrationRefusal> Refusals { get; set; } = [];
}
