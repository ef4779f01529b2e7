using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

public sealed partial class AddAliasDialog : FormDialog
{
    private string? _alias;
    private string? _target;

    /// <summary>The domain the alias belongs to (ASCII form).</summary>
    [Parameter]
    public string Domain { get; set; } = string.Empty;

    [Inject]
    private AddressBookService AddressBook { get; set; } = default!;

    protected override async Task<object> SubmitAsync()
    {
        var added = await AddressBook.CreateAliasAsync(Actor, Domain, _alias?.Trim() ?? string.Empty, _target?.Trim() ?? string.Empty, CancellationToken.None);
        return added;
    }
}
