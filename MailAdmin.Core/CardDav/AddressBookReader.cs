using MailAdmin.Core.Accounts;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// Who reads the address book: a user of a domain signed in with their mail password, or an
/// administrator of the console. A user reads their own domain's book; an administrator the
/// books of the domains whose users they may see (<see cref="Permission.ViewUsers"/>).
/// </summary>
public sealed record AddressBookReader
{
    private AddressBookReader(string? mailUser, AdminPrincipal? admin)
    {
        MailUser = mailUser;
        Admin = admin;
    }

    /// <summary>The user's primary address, for a user of a domain.</summary>
    public string? MailUser { get; }

    public AdminPrincipal? Admin { get; }

    /// <summary>What the principal's URL is made of: the address, or the administrator's id (<c>local:admin</c>).</summary>
    public string PrincipalId => MailUser ?? Admin!.Id;

    public string DisplayName => MailUser ?? Admin!.DisplayName;

    public static AddressBookReader ForUser(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return new AddressBookReader(address, null);
    }

    public static AddressBookReader ForAdmin(AdminPrincipal admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        return new AddressBookReader(null, admin);
    }
}
