namespace MailAdmin.Core.DirectoryServices;

/// <summary>How the connection to the directory server is protected.</summary>
public enum DirectorySecurity
{
    None,
    Ldaps,
    StartTls,
}

/// <summary>Which schema the directory speaks.</summary>
public enum DirectoryProfileKind
{
    OpenLdap,
    ActiveDirectory,
}

/// <summary>
/// Everything needed to reach and read one domain's directory. The bind
/// password is in clear here: it lives only in memory, for one operation.
/// </summary>
public sealed record DirectoryConnection(
    string Host,
    int Port,
    DirectorySecurity Security,
    string BindDn,
    string BindPassword,
    string BaseDn,
    DirectoryProfileKind Profile,
    string? UserFilter = null,
    string? GroupFilter = null,
    string? PlacementFilter = null,
    string? TrustedCaPem = null)
{
    /// <summary>
    /// The placement filters of the other servers of a distributed domain: users matching
    /// any of them are marked <see cref="DirectoryUser.PlacedElsewhere"/> (the master maps
    /// only users no other server places).
    /// </summary>
    public IReadOnlyList<string> PeerPlacementFilters { get; init; } = [];

    /// <summary>Never print the password, even by accident.</summary>
    public override string ToString() => $"{Security.ToString().ToLowerInvariant()}://{Host}:{Port}/{BaseDn} as {BindDn}";
}

/// <summary>
/// A user as the directory describes it, mapped by the profile.
/// <see cref="DirectoryId"/> is the entry's stable identity (entryUUID,
/// objectGUID): it survives renames and moves, so a changed DN is an update,
/// not a delete and an add.
/// </summary>
public sealed record DirectoryUser(
    string DirectoryId,
    string Dn,
    string Login,
    string Name,
    IReadOnlyList<string> Addresses,
    bool Enabled,
    bool PlacedHere,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>True when another server's placement filter matches the entry (see <see cref="DirectoryConnection.PeerPlacementFilters"/>).</summary>
    public bool PlacedElsewhere { get; init; }
}

/// <summary>A group and the DNs of its direct members (users or groups).</summary>
public sealed record DirectoryGroup(
    string DirectoryId,
    string Dn,
    string Name,
    string? Address,
    IReadOnlyList<string> MemberDns);

/// <summary>Everything one sync reads from the directory.</summary>
public sealed record DirectorySnapshot(IReadOnlyList<DirectoryUser> Users, IReadOnlyList<DirectoryGroup> Groups);

/// <summary>
/// The directory service, as the rest of the product needs it. The real
/// implementation talks LDAP; failures are <see cref="Errors.MailAdminException"/>s
/// with the codes <c>directory-unreachable</c>, <c>directory-bad-credentials</c>,
/// <c>directory-base-dn-not-found</c>, <c>directory-tls-failed</c> or
/// <c>directory-error</c>.
/// </summary>
public interface IDirectoryClient
{
    /// <summary>Binds and searches the base DN once: what saving the settings checks.</summary>
    Task TestAsync(DirectoryConnection connection, CancellationToken cancellationToken);

    /// <summary>Reads every user and group under the base DN with paged searches (RFC 2696).</summary>
    Task<DirectorySnapshot> ReadAllAsync(DirectoryConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the user whose address (primary or alias) is <paramref name="address"/>
    /// and binds as that user with <paramref name="password"/>. Returns the user and
    /// the DNs of every group it belongs to, nested groups resolved; null when the
    /// address is unknown or the password wrong. A user the directory gives no mail
    /// address is mapped as <c>login@domain</c>: pass its <paramref name="login"/>
    /// (uid or sAMAccountName, as last synced) so it is found by that instead.
    /// </summary>
    Task<DirectoryLogin?> AuthenticateAsync(DirectoryConnection connection, string address, string? login, string password, CancellationToken cancellationToken);
}

/// <summary>A successful directory sign-in.</summary>
public sealed record DirectoryLogin(DirectoryUser User, IReadOnlyList<string> GroupDns);
