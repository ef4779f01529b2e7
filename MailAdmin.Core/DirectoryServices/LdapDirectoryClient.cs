using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailAdmin.Core.Errors;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// The directory over LDAP v3, with System.DirectoryServices.Protocols (OpenLDAP's libldap on
/// Linux). Every operation opens its own connection, binds, works and closes: nothing is
/// shared between callers, and a stale connection can never answer for a new password.
/// </summary>
/// <remarks>
/// <para>Reading: searches are paged (RFC 2696, <see cref="PageSize"/> entries a reply), so a
/// directory of 100,000 users never arrives in one reply and the server's per-search size limit
/// is not hit; the cancellation token is checked between pages. A search the server cuts short
/// (size or time limit) is an error, never a partial result: a sync that believed a partial list
/// would disable everyone missing from it.</para>
/// <para>Sign-in: the user is found with the service account by an escaped address filter, then a
/// fresh connection binds as that user's DN. An empty password is refused before any bind,
/// because LDAP treats a simple bind with an empty password as an anonymous bind that succeeds.</para>
/// <para>TLS: certificates are always checked. On Linux the check is libldap's: the server name
/// must match the certificate and the chain must end at a trusted CA, by default the system's
/// (<c>TLS_CACERT</c> in <c>/etc/ldap/ldap.conf</c>), or only the CA given in
/// <see cref="DirectoryConnection.TrustedCaPem"/>, written to a private temporary directory and
/// handed over as <c>TrustedCertificatesDirectory</c> with a new TLS context.
/// <c>VerifyServerCertificate</c> cannot be used there: libldap rejects the option.</para>
/// <para>Failures: libldap reports most connection problems as "server unavailable"; a plain TCP
/// connect then tells an unreachable server (with the OS reason) from one that is up but whose
/// TLS handshake failed.</para>
/// </remarks>
public sealed partial class LdapDirectoryClient(TimeProvider clock, ILogger<LdapDirectoryClient> logger) : IDirectoryClient
{
    /// <summary>Entries per reply of a paged search.</summary>
    public const int PageSize = 500;

    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static int s_timeoutWarningLogged;

    public async Task TestAsync(DirectoryConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        EnsureTimeouts();
        var profile = DirectoryProfile.For(connection.Profile);
        var filters = new[] { profile.UserFilter(connection), profile.GroupFilter(connection), PlacementFilter(connection, profile) };
        _ = await RunAsync(connection, () =>
        {
            using var session = LdapSession.Open(connection);
            session.Bind(connection.BindDn, connection.BindPassword, serviceAccount: true);

            // The base DN, then the first entry of each real filter: a typo in the base DN and a
            // filter the server rejects show up now, while the administrator is still on the form.
            session.SearchBase(connection.BaseDn);
            foreach (var filter in filters.OfType<string>())
            {
                _ = session.Search(connection.BaseDn, filter, [DirectoryProfile.NoAttributes], profile.BinaryAttributes, cancellationToken).Any();
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DirectorySnapshot> ReadAllAsync(DirectoryConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        EnsureTimeouts();
        var profile = DirectoryProfile.For(connection.Profile);
        var userFilter = profile.UserFilter(connection);
        var groupFilter = profile.GroupFilter(connection);
        var placementFilter = PlacementFilter(connection, profile);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

        return await RunAsync(connection, () =>
        {
            var timer = new PhaseTimer();
            using var session = LdapSession.Open(connection);
            session.Bind(connection.BindDn, connection.BindPassword, serviceAccount: true);
            timer.Lap("bind");

            var users = new List<DirectoryUser>();
            // The users are most of a directory: their pages are read ahead while the ones
            // already read are converted and mapped.
            foreach (var entry in session.SearchAhead(connection.BaseDn, userFilter, profile.UserAttributes, profile.BinaryAttributes, cancellationToken))
            {
                if (profile.MapUser(entry, today) is { } user)
                {
                    users.Add(user);
                }
                else
                {
                    LogSkippedUser(logger, entry.Dn);
                }
            }

            timer.Lap("users");

            if (placementFilter is not null)
            {
                var placed = session.Search(connection.BaseDn, placementFilter, [DirectoryProfile.NoAttributes], profile.BinaryAttributes, cancellationToken)
                    .Select(e => GroupMembership.DnKey(e.Dn))
                    .ToHashSet(StringComparer.Ordinal);
                users = [.. users.Select(u => u with { PlacedHere = placed.Contains(GroupMembership.DnKey(u.Dn)) })];
            }

            var elsewhere = new HashSet<string>(StringComparer.Ordinal);
            foreach (var filter in connection.PeerPlacementFilters)
            {
                var peerFilter = LdapFilter.And(userFilter, LdapFilter.Normalize(filter, "placementFilter") ?? filter);
                elsewhere.UnionWith(session.Search(connection.BaseDn, peerFilter, [DirectoryProfile.NoAttributes], profile.BinaryAttributes, cancellationToken)
                    .Select(e => GroupMembership.DnKey(e.Dn)));
            }

            if (elsewhere.Count > 0)
            {
                users = [.. users.Select(u => u with { PlacedElsewhere = elsewhere.Contains(GroupMembership.DnKey(u.Dn)) })];
            }

            timer.Lap("placement");
            var groups = ReadGroups(session, connection, profile, groupFilter, cancellationToken);
            timer.Lap("groups");
            LogRead(logger, connection, users.Count, groups.Count, session.Pages);
            LogReadPhases(logger, timer);
            return new DirectorySnapshot(users, groups);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DirectoryLogin?> AuthenticateAsync(DirectoryConnection connection, string address, string? login, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // An empty password is an anonymous bind, which LDAP lets "succeed"; a NUL would cut the
        // password short on its way into the C library. Neither is ever a real password.
        if (string.IsNullOrWhiteSpace(address) || string.IsNullOrEmpty(password) || password.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        EnsureTimeouts();
        var profile = DirectoryProfile.For(connection.Profile);
        var userFilter = profile.UserFilter(connection);
        var placementFilter = PlacementFilter(connection, profile);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var wanted = address.Trim();
        var knownLogin = string.IsNullOrWhiteSpace(login) ? null : login;
        var who = knownLogin is null ? profile.AddressFilter(wanted) : LdapFilter.Or(profile.AddressFilter(wanted), profile.LoginFilter(knownLogin));

        return await RunAsync(connection, () =>
        {
            using var session = LdapSession.Open(connection);
            session.Bind(connection.BindDn, connection.BindPassword, serviceAccount: true);

            var candidates = session.Search(connection.BaseDn, LdapFilter.And(userFilter, who), profile.UserAttributes, profile.BinaryAttributes, cancellationToken)
                .Select(entry => profile.MapUser(entry, today))
                .OfType<DirectoryUser>()
                .Where(user => user.Addresses.Contains(wanted, StringComparer.OrdinalIgnoreCase)
                    || (knownLogin is not null && user.Addresses.Count == 0 && string.Equals(user.Login, knownLogin, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (candidates.Count != 1)
            {
                if (candidates.Count > 1 && logger.IsEnabled(LogLevel.Warning))
                {
                    LogAmbiguousAddress(logger, candidates.Count, string.Join("; ", candidates.Select(c => c.Dn)));
                }

                return null;
            }

            var user = candidates[0];
            if (!user.Enabled)
            {
                return null;
            }

            using (var asUser = LdapSession.Open(connection))
            {
                if (!asUser.Bind(user.Dn, password, serviceAccount: false))
                {
                    return null;
                }
            }

            if (placementFilter is not null)
            {
                var placed = session.Search(user.Dn, placementFilter, [DirectoryProfile.NoAttributes], profile.BinaryAttributes, cancellationToken, SearchScope.Base).Any();
                user = user with { PlacedHere = placed };
            }

            var groups = ReadGroups(session, connection, profile, profile.GroupFilter(connection), cancellationToken);
            return new DirectoryLogin(user, GroupMembership.GroupsOf(user.Dn, groups));
        }, cancellationToken).ConfigureAwait(false);
    }

    private void EnsureTimeouts()
    {
        if (!LibLdapDefaults.EnsureApplied(OperationTimeout) && Interlocked.Exchange(ref s_timeoutWarningLogged, 1) == 0)
        {
            LogTimeoutsNotApplied(logger);
        }
    }

    private static string? PlacementFilter(DirectoryConnection connection, DirectoryProfile profile) =>
        LdapFilter.Normalize(connection.PlacementFilter, "placementFilter") is { } placement
            ? LdapFilter.And(profile.UserFilter(connection), placement)
            : null;

    private static List<DirectoryGroup> ReadGroups(
        LdapSession session, DirectoryConnection connection, DirectoryProfile profile, string groupFilter, CancellationToken cancellationToken) =>
        [.. session.Search(connection.BaseDn, groupFilter, profile.GroupAttributes, profile.BinaryAttributes, cancellationToken)
            .Select(session.CompleteRangedValues)
            .Select(profile.MapGroup)
            .OfType<DirectoryGroup>()];

    /// <summary>
    /// Runs blocking LDAP work on a pool thread and turns what escapes it into the product's
    /// errors. Connection-level failures are diagnosed here, with an asynchronous TCP probe.
    /// </summary>
    private static async Task<T> RunAsync<T>(DirectoryConnection connection, Func<T> work, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(work, cancellationToken).ConfigureAwait(false);
        }
        catch (LdapException e) when (IsConnectionFailure(e.ErrorCode))
        {
            throw await ConnectionFailureAsync(connection, e, cancellationToken).ConfigureAwait(false);
        }
        catch (LdapException e) when (e.ErrorCode == LdapSession.ClientTimeout)
        {
            throw new MailAdminException(
                ErrorKind.Unavailable,
                "directory-unreachable",
                $"The directory server {Endpoint(connection)} did not answer within {OperationTimeout.TotalSeconds:0} seconds. Check that the server is running and not overloaded, then try again.",
                e);
        }
        catch (LdapException e)
        {
            throw DirectoryError(connection, e.Message, e.ServerErrorMessage, e);
        }
        catch (DirectoryOperationException e)
        {
            throw DirectoryError(connection, e.Message, e.Response?.ErrorMessage, e);
        }
    }

    // 81 server down, 91 connect error, -1 libldap's generic "could not talk to the server".
    private static bool IsConnectionFailure(int errorCode) => errorCode is 81 or 91 or -1;

    private static async Task<MailAdminException> ConnectionFailureAsync(DirectoryConnection connection, LdapException error, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(connection);
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await tcp.ConnectAsync(connection.Host, connection.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return new MailAdminException(
                ErrorKind.Unavailable,
                "directory-unreachable",
                $"Cannot connect to the directory server {endpoint}: {e.Message}. Check the host name and port, and that the server is running and reachable from this node.",
                error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new MailAdminException(
                ErrorKind.Unavailable,
                "directory-unreachable",
                $"Cannot connect to the directory server {endpoint}: no answer within {ProbeTimeout.TotalSeconds:0} seconds. Check the host name and port, and that no firewall drops the connection.",
                error);
        }

        if (connection.Security != DirectorySecurity.None)
        {
            return TlsFailed(connection, error);
        }

        return new MailAdminException(
            ErrorKind.Unavailable,
            "directory-unreachable",
            $"The directory server {endpoint} accepted the connection but closed it without an LDAP answer. If this port expects LDAPS (usually 636), choose LDAPS as the security; otherwise check the server's log.",
            error);
    }

    private static MailAdminException TlsFailed(DirectoryConnection connection, Exception error) => new(
        ErrorKind.Invalid,
        "directory-tls-failed",
        $"The TLS connection to the directory server {Endpoint(connection)} failed. The server's certificate must name '{connection.Host}' and be signed by a trusted CA: "
        + (connection.TrustedCaPem is null
            ? "give its CA certificate in the settings if it is a private CA. "
            : "check that the CA certificate in the settings is the one that signed it. ")
        + (connection.Security == DirectorySecurity.Ldaps
            ? "Also check that the port speaks LDAPS (usually 636)."
            : "Also check that the server offers StartTLS on this port."),
        error);

    private static MailAdminException DirectoryError(DirectoryConnection connection, string message, string? serverMessage, Exception error)
    {
        var detail = string.IsNullOrWhiteSpace(serverMessage) ? message : $"{message} ({serverMessage.Trim()})";
        return new MailAdminException(
            ErrorKind.Unavailable,
            "directory-error",
            $"The directory server {Endpoint(connection)} reported an error: {detail}. Check the directory settings and the server's log, then try again.",
            error);
    }

    private static string Endpoint(DirectoryConnection connection) =>
        $"{connection.Host}:{connection.Port.ToString(CultureInfo.InvariantCulture)}";

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Read {Users} users and {Groups} groups from {Directory} in {Pages} pages.")]
    private static partial void LogRead(ILogger logger, DirectoryConnection directory, int users, int groups, int pages);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Directory read phases: {Phases}.")]
    private static partial void LogReadPhases(ILogger logger, PhaseTimer phases);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Skipped the directory entry {Dn}: it has no stable id or no login name.")]
    private static partial void LogSkippedUser(ILogger logger, string dn);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Refused a directory sign-in: {Count} users share the address ({Dns}). An address must belong to one user.")]
    private static partial void LogAmbiguousAddress(ILogger logger, int count, string dns);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Could not set libldap's defaults (timeouts, restart after signals); a directory server that stops answering may block a sign-in until it closes the connection.")]
    private static partial void LogTimeoutsNotApplied(ILogger logger);

    /// <summary>
    /// One LDAP connection with its TLS set-up, bound at most once, and the searches the client
    /// needs. Blocking: it runs on a pool thread.
    /// </summary>
    private sealed class LdapSession : IDisposable
    {
        public const int ClientTimeout = 85;
        private const int InvalidCredentials = 49;
        private const int StartTlsAttempts = 5;
        private static readonly TimeSpan StartTlsRetryPause = TimeSpan.FromMilliseconds(10);

        private readonly LdapConnection _ldap;
        private readonly DirectoryConnection _settings;
        private readonly TrustedCaDirectory? _trustedCa;

        private LdapSession(DirectoryConnection settings)
        {
            _settings = settings;
            _ldap = new LdapConnection(new LdapDirectoryIdentifier(settings.Host, settings.Port))
            {
                AuthType = AuthType.Basic,
                AutoBind = false,
                Timeout = OperationTimeout,
            };
            try
            {
                _ldap.SessionOptions.ProtocolVersion = 3;

                // AD answers searches at a domain root with referrals to other partitions;
                // chasing them would connect elsewhere, anonymously.
                _ldap.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
                if (settings.Security == DirectorySecurity.Ldaps)
                {
                    _ldap.SessionOptions.SecureSocketLayer = true;
                }

                if (settings.Security != DirectorySecurity.None && settings.TrustedCaPem is { } pem)
                {
                    _trustedCa = TrustedCaDirectory.Create(pem, settings.Host);
                    _trustedCa.Apply(_ldap.SessionOptions);
                }

                if (settings.Security == DirectorySecurity.StartTls)
                {
                    StartTls();
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>Search replies received so far: one per page.</summary>
        public int Pages { get; private set; }

        public static LdapSession Open(DirectoryConnection settings) => new(settings);

        /// <summary>
        /// Binds; false when the server refuses the password (LDAP 49). For the service account
        /// that is an error the administrator must fix, so it throws instead.
        /// </summary>
        public bool Bind(string dn, string password, bool serviceAccount)
        {
            try
            {
                _ldap.Bind(new NetworkCredential(dn, password));
                return true;
            }
            catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
            {
                if (!serviceAccount)
                {
                    return false;
                }

                throw new MailAdminException(
                    ErrorKind.Invalid,
                    "directory-bad-credentials",
                    $"The directory server {Endpoint(_settings)} refused the bind DN '{dn}' with the given password. Check the bind DN (a full DN such as cn=admin,dc=example,dc=com) and its password.",
                    e);
            }
        }

        /// <summary>Reads the base DN itself, which fails with a clear message when it does not exist.</summary>
        public void SearchBase(string baseDn) =>
            _ = Search(baseDn, "(objectClass=*)", [DirectoryProfile.NoAttributes], new HashSet<string>(), CancellationToken.None, SearchScope.Base).ToList();

        /// <summary>
        /// A paged search (RFC 2696): one request per page, the server's cookie carried to the
        /// next, until the cookie comes back empty. A server that ignores the (non-critical)
        /// control sends everything in its first reply and no cookie, which ends the loop too.
        /// </summary>
        public IEnumerable<LdapEntry> Search(
            string baseDn,
            string filter,
            IReadOnlyList<string> attributes,
            IReadOnlySet<string> binaryAttributes,
            CancellationToken cancellationToken,
            SearchScope scope = SearchScope.Subtree)
        {
            foreach (var page in PagesOf(baseDn, filter, attributes, scope, cancellationToken))
            {
                foreach (SearchResultEntry entry in page)
                {
                    yield return ToEntry(entry, binaryAttributes);
                }
            }
        }

        /// <summary>
        /// <see cref="Search"/> with the next page requested while the caller works on the
        /// current one: the requests run on a reader thread, one page ahead (see
        /// <see cref="Pipelined"/>). Errors and cancellation reach the caller as from
        /// <see cref="Search"/>; the session is used by nothing else until the enumeration ends.
        /// </summary>
        public IEnumerable<LdapEntry> SearchAhead(
            string baseDn,
            string filter,
            IReadOnlyList<string> attributes,
            IReadOnlySet<string> binaryAttributes,
            CancellationToken cancellationToken)
        {
            foreach (var page in Pipelined.Read(token => PagesOf(baseDn, filter, attributes, SearchScope.Subtree, token), capacity: 1, cancellationToken))
            {
                foreach (SearchResultEntry entry in page)
                {
                    yield return ToEntry(entry, binaryAttributes);
                }
            }
        }

        private IEnumerable<SearchResultEntryCollection> PagesOf(
            string baseDn, string filter, IReadOnlyList<string> attributes, SearchScope scope, CancellationToken cancellationToken)
        {
            var paging = new PageResultRequestControl(PageSize);
            var request = new SearchRequest(baseDn, filter, scope, [.. attributes]);
            request.Controls.Add(paging);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var response = Send(request, baseDn);
                Pages++;
                yield return response.Entries;

                byte[]? cookie = null;
                foreach (DirectoryControl control in response.Controls)
                {
                    if (control is PageResultResponseControl paged)
                    {
                        cookie = paged.Cookie;
                        break;
                    }
                }

                if (cookie is not { Length: > 0 })
                {
                    yield break;
                }

                paging.Cookie = cookie;
            }
        }

        /// <summary>
        /// Active Directory returns at most 1,500 values of an attribute at once, as
        /// <c>member;range=0-1499</c>; the rest is read with follow-up requests for
        /// <c>member;range=1500-*</c> and so on, until a range ends in <c>*</c>. The values are
        /// merged back under the plain attribute name.
        /// </summary>
        public LdapEntry CompleteRangedValues(LdapEntry entry)
        {
            var ranged = entry.Attributes.Keys.Where(k => k.Contains(";range=", StringComparison.OrdinalIgnoreCase)).ToList();
            if (ranged.Count == 0)
            {
                return entry;
            }

            var attributes = entry.Attributes.ToDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var key in ranged)
            {
                var name = key[..key.IndexOf(';', StringComparison.Ordinal)];
                var values = new List<string>(attributes[key]);
                attributes.Remove(key);
                var range = key;
                while (RangeEnd(range) is { } end)
                {
                    var next = $"{name};range={(end + 1).ToString(CultureInfo.InvariantCulture)}-*";
                    var response = Send(new SearchRequest(entry.Dn, "(objectClass=*)", SearchScope.Base, next), entry.Dn);
                    var attribute = response.Entries.Cast<SearchResultEntry>().SelectMany(e => e.Attributes.Values.Cast<DirectoryAttribute>())
                        .FirstOrDefault(a => a.Name.StartsWith(name + ";range=", StringComparison.OrdinalIgnoreCase));
                    if (attribute is null)
                    {
                        break;
                    }

                    values.AddRange((string[])attribute.GetValues(typeof(string)));
                    range = attribute.Name;
                }

                attributes[name] = [.. attributes.GetValueOrDefault(name) ?? [], .. values];
            }

            return new LdapEntry(entry.Dn, attributes);
        }

        public void Dispose()
        {
            _ldap.Dispose();
            _trustedCa?.Dispose();
        }

        /// <summary>The last value of a <c>name;range=low-high</c> description; null when it ends in <c>*</c>.</summary>
        private static int? RangeEnd(string description)
        {
            var high = description[(description.LastIndexOf('-') + 1)..];
            return int.TryParse(high, NumberStyles.None, CultureInfo.InvariantCulture, out var end) ? end : null;
        }

        private static LdapEntry ToEntry(SearchResultEntry entry, IReadOnlySet<string> binaryAttributes)
        {
            var values = entry.Attributes.Values;
            var attributes = new Dictionary<string, IReadOnlyList<string>>(values.Count, StringComparer.OrdinalIgnoreCase);
            foreach (DirectoryAttribute attribute in values)
            {
                attributes[attribute.Name] = binaryAttributes.Count > 0 && binaryAttributes.Contains(attribute.Name)
                    ? [.. ((byte[][])attribute.GetValues(typeof(byte[]))).Select(Convert.ToBase64String)]
                    : (string[])attribute.GetValues(typeof(string));
            }

            return LdapEntry.Own(entry.DistinguishedName, attributes);
        }

        private SearchResponse Send(SearchRequest request, string baseDn)
        {
            try
            {
                return (SearchResponse)_ldap.SendRequest(request, OperationTimeout);
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject && baseDn == _settings.BaseDn)
            {
                var found = string.IsNullOrEmpty(e.Response.MatchedDN) ? string.Empty : $" (the server has '{e.Response.MatchedDN}', but nothing below it by that name)";
                throw new MailAdminException(
                    ErrorKind.Invalid,
                    "directory-base-dn-not-found",
                    $"The base DN '{_settings.BaseDn}' does not exist on the directory server {Endpoint(_settings)}{found}. Check its spelling, for example dc=example,dc=com.",
                    e);
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.SizeLimitExceeded or ResultCode.TimeLimitExceeded or ResultCode.AdminLimitExceeded)
            {
                throw new MailAdminException(
                    ErrorKind.Unavailable,
                    "directory-error",
                    $"The directory server {Endpoint(_settings)} stopped the search at its {(e.Response.ResultCode == ResultCode.TimeLimitExceeded ? "time" : "size")} limit, so not every entry could be read and nothing was changed. Allow the bind DN '{_settings.BindDn}' unlimited paged searches (OpenLDAP: a 'limits' rule with size.prtotal=unlimited), or narrow the user and group filters.",
                    e);
            }
        }

        /// <summary>
        /// StartTLS before any bind, so the password never crosses the network in clear. On Linux
        /// S.DS.P only connects on the first operation and its StartTLS fails on a connection that
        /// does not exist yet, so the root DSE is read first (anonymously, in clear: it holds
        /// nothing secret and the answer does not matter, only the connection). slapd sometimes
        /// still counts that finished search as running and refuses StartTLS with
        /// operationsError (about 1 in 200 attempts here); the connection is then still in clear
        /// and usable, so StartTLS is simply asked again after a short pause.
        /// </summary>
        private void StartTls()
        {
            try
            {
                _ = _ldap.SendRequest(new SearchRequest(string.Empty, "(objectClass=*)", SearchScope.Base, DirectoryProfile.NoAttributes), OperationTimeout);
            }
            catch (DirectoryOperationException)
            {
                // Connected; the server just does not show its root DSE to anonymous clients.
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _ldap.SessionOptions.StartTransportLayerSecurity(null);
                    return;
                }
                catch (TlsOperationException e) when (e.Response?.ResultCode == ResultCode.OperationsError && attempt < StartTlsAttempts)
                {
                    Thread.Sleep(StartTlsRetryPause * attempt);
                }
                catch (DirectoryOperationException e)
                {
                    throw TlsFailed(_settings, e);
                }
                catch (LdapException e) when (e.ErrorCode != ClientTimeout)
                {
                    throw TlsFailed(_settings, e);
                }
            }
        }
    }
}
