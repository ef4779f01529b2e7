using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>Adds a mailing list, or changes the members of <see cref="List"/>.</summary>
public sealed partial class MailingListDialog : FormDialog
{
    private static readonly char[] Separators = ['\n', '\r', ',', ';'];

    private string? _address;
    private string? _members;

    /// <summary>The domain the list belongs to (ASCII form).</summary>
    [Parameter]
    public string Domain { get; set; } = string.Empty;

    /// <summary>The list whose members are edited; null to add a list.</summary>
    [Parameter]
    public MailingListInfo? List { get; set; }

    [Inject]
    private AddressBookService AddressBook { get; set; } = default!;

    protected override void OnInitialized() => _members = List is null ? null : string.Join('\n', List.Members);

    protected override async Task<object> SubmitAsync()
    {
        var members = (_members ?? string.Empty).Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var saved = List is null
            ? await AddressBook.CreateListAsync(Actor, Domain, _address?.Trim() ?? string.Empty, members, CancellationToken.None)
            : await AddressBook.UpdateListAsync(Actor, Domain, List.Address, members, CancellationToken.None);
        return saved;
    }
}
