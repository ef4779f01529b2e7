using System.Security.Cryptography;
using Google.Protobuf;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Nodes;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// This node's document: how to reach it, and per distributed domain the mailboxes it hosts,
/// the aliases, lists and resources whose home it is and its placement filter; on the master also the
/// membership and the settings every node inherits. The version rises only when the content
/// changes, so recomputing it is idempotent.
/// </summary>
public sealed class OwnDocument(
    IDbContextFactory<NodeDbContext> databases,
    NodeOptions node,
    LocalEndpoints endpoints,
    SmtpEndpoints smtp,
    IClusterIdentity identity) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The current document, its version raised and saved when its content changed since the last call.</summary>
    public async Task<(NodeDocument Document, bool Changed)> CurrentAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await CurrentCoreAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<(NodeDocument Document, bool Changed)> CurrentCoreAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var record = await ClusterStore.RecordAsync(db, cancellationToken);
        var document = await BuildAsync(db, ClusterStore.ParseRole(record.Role), cancellationToken);
        var digest = Convert.ToHexStringLower(SHA256.HashData(document.ToByteArray()));
        var changed = digest != record.OwnDigest;
        if (changed)
        {
            record.OwnVersion++;
            record.OwnDigest = digest;
            await db.SaveChangesAsync(cancellationToken);
        }

        document.Version = record.OwnVersion;
        return (document, changed);
    }

    internal NodeEndpoint Endpoint() => new()
    {
        Name = node.Name,
        Host = node.PublicHost,
        ClusterPort = endpoints.PeerPort,
        SmtpPort = smtp.IsListening ? smtp.Incoming.Port : 0,
        ConsoleUrl = endpoints.ConsoleUrl,
        CertificateThumbprint = identity.Thumbprint,
        SmtpCertificateThumbprint = smtp.IsListening ? smtp.CertificateThumbprint : string.Empty,
    };

    private async Task<NodeDocument> BuildAsync(NodeDbContext db, NodeRole role, CancellationToken cancellationToken)
    {
        var document = new NodeDocument { Owner = node.Name, Endpoint = Endpoint() };
        foreach (var grant in await db.AdminGrants.AsNoTracking().OrderBy(g => g.Principal).ToListAsync(cancellationToken))
        {
            document.Admins.Add(new AdminGrantEntry { Principal = grant.Principal, Role = grant.Role.ToWire(), Domain = grant.Domain ?? string.Empty });
        }

        var domains = await db.Domains.AsNoTracking().Include(d => d.Directory).Where(d => d.IsDistributed).OrderBy(d => d.Name).ToListAsync(cancellationToken);
        foreach (var domain in domains)
        {
            var share = new DomainShare { Domain = domain.Name, PlacementFilter = domain.Directory?.PlacementFilter ?? string.Empty };
            var users = await db.Users.AsNoTracking().Include(u => u.Aliases)
                .Where(u => u.DomainId == domain.Id && u.Source == UserSource.Directory && u.HomeServer == node.Name && u.DirectoryId != null)
                .OrderBy(u => u.LocalPart)
                .AsSplitQuery()
                .ToListAsync(cancellationToken);
            foreach (var user in users)
            {
                var mailbox = new Mailbox
                {
                    DirectoryId = user.DirectoryId,
                    LocalPart = user.LocalPart,
                    Name = user.Name,
                    Dn = user.DirectoryDn ?? string.Empty,
                    Login = user.Login ?? string.Empty,
                    Epoch = user.HomeEpoch,
                    Enabled = user.Enabled && !user.MissingFromDirectory,
                    DisabledByAdministrator = user.DisabledByAdministrator,
                    HiddenFromAddressList = user.HiddenFromAddressList,
                };
                mailbox.Aliases.Add(user.Aliases.Select(a => a.LocalPart).Order(StringComparer.Ordinal));
                foreach (var (key, value) in user.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    mailbox.Attributes[key] = value;
                }

                share.Mailboxes.Add(mailbox);
            }

            foreach (var alias in await db.Aliases.AsNoTracking().Where(a => a.DomainId == domain.Id && a.HomeServer == null).OrderBy(a => a.LocalPart).ToListAsync(cancellationToken))
            {
                share.Items.Add(new AddressItem { Kind = "alias", LocalPart = alias.LocalPart, Target = alias.Target });
            }

            foreach (var list in await db.MailingLists.AsNoTracking().Where(l => l.DomainId == domain.Id && l.HomeServer == null).OrderBy(l => l.LocalPart).ToListAsync(cancellationToken))
            {
                var item = new AddressItem { Kind = "list", LocalPart = list.LocalPart };
                item.Members.Add(list.Members);
                share.Items.Add(item);
            }

            foreach (var resource in await db.Resources.AsNoTracking().Where(r => r.DomainId == domain.Id && r.HomeServer == null).OrderBy(r => r.LocalPart).ToListAsync(cancellationToken))
            {
                share.Resources.Add(new ResourceEntry
                {
                    LocalPart = resource.LocalPart,
                    Name = resource.Name,
                    Type = resource.Type.ToString(),
                    Capacity = resource.Capacity ?? 0,
                    Location = resource.Location ?? string.Empty,
                    Description = resource.Description ?? string.Empty,
                    Policy = resource.Policy.ToString(),
                    Manager = resource.Manager ?? string.Empty,
                });
            }

            if (role == NodeRole.Master)
            {
                share.Settings = SettingsOf(domain);
            }

            document.Domains.Add(share);
        }

        if (role == NodeRole.Master)
        {
            var membership = new Membership();
            foreach (var member in await db.ClusterMembers.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken))
            {
                var endpoint = string.Equals(member.Name, node.Name, StringComparison.OrdinalIgnoreCase) ? document.Endpoint : ClusterStore.ToEndpoint(member);
                membership.Members.Add(new Member { Endpoint = endpoint, IsMaster = member.IsMaster, State = member.State });
            }

            membership.RevokedThumbprints.Add(await db.RevokedCertificates.AsNoTracking().OrderBy(r => r.Thumbprint).Select(r => r.Thumbprint).ToListAsync(cancellationToken));
            document.Membership = membership;
        }

        return document;
    }

    /// <summary>The settings slaves inherit (no password: each node keeps its own directory connection).</summary>
    internal static DomainSettings SettingsOf(Domains.MailDomain domain)
    {
        var settings = new DomainSettings { Domain = domain.Name, Description = domain.Description ?? string.Empty };
        if (domain.Directory is { } d)
        {
            settings.Directory = new DirectoryConfig
            {
                Host = d.Host,
                Port = d.Port,
                Security = d.Security.ToString().ToLowerInvariant(),
                BindDn = d.BindDn,
                BaseDn = d.BaseDn,
                Profile = d.Profile.ToString().ToLowerInvariant(),
                UserFilter = d.UserFilter ?? string.Empty,
                GroupFilter = d.GroupFilter ?? string.Empty,
                TrustedCaPem = d.TrustedCaPem ?? string.Empty,
            };
        }

        // A version that changes with the content: slaves apply only what is newer.
        settings.Version = BitConverter.ToInt64(SHA256.HashData(settings.ToByteArray()), 0) & long.MaxValue;
        return settings;
    }

    internal static DirectorySecurity ParseSecurity(string value) =>
        Enum.TryParse<DirectorySecurity>(value, ignoreCase: true, out var s) ? s : DirectorySecurity.None;

    internal static DirectoryProfileKind ParseProfile(string value) =>
        Enum.TryParse<DirectoryProfileKind>(value, ignoreCase: true, out var p) ? p : DirectoryProfileKind.OpenLdap;
}
