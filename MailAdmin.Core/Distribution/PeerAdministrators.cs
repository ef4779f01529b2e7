using Google.Protobuf;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.Distribution;

/// <summary>
/// Who an administrator named in a peer call is, worked out by this node from its own
/// data, never from the call: the grants the calling node published in its replicated
/// document, this node's own grants (for directory administrators), and this node's copy
/// of the directory's users and groups. A role or domain claimed by the caller does not
/// exist in the protocol, so a calling node cannot lend an administrator more rights than
/// its published grants give, and a directory administrator whom the directory has
/// disabled has none.
/// </summary>
public sealed class PeerAdministrators(IDbContextFactory<NodeDbContext> databases)
{
    /// <summary>The administrator as this node sees them, or null when no grant applies.</summary>
    public async Task<AdminPrincipal?> ResolveAsync(string callerNode, string principalId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(callerNode);
        if (string.IsNullOrEmpty(principalId) || principalId.Length > 600)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var payload = await db.PeerDocuments.AsNoTracking().Where(d => d.Owner == callerNode).Select(d => d.Payload).SingleOrDefaultAsync(cancellationToken);
        var published = payload is null
            ? []
            : NodeDocument.Parser.ParseFrom(payload).Admins
                .Select(a => AdminRoles.TryParse(a.Role, out var role) ? new AdminGrant { Principal = a.Principal, Role = role, Domain = a.Domain.Length == 0 ? null : a.Domain } : null)
                .OfType<AdminGrant>()
                .ToList();

        if (principalId.StartsWith(AdminPrincipal.LocalPrefix, StringComparison.Ordinal))
        {
            // A local account exists on the calling node only: its published grant is all there is.
            return Strongest(principalId, principalId[AdminPrincipal.LocalPrefix.Length..], published.Where(g => g.Principal == principalId));
        }

        if (!principalId.StartsWith("user:", StringComparison.Ordinal) || !MailAddresses.TryParse(principalId[5..], out var parsed))
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().Include(u => u.Groups).ThenInclude(m => m.Group)
            .SingleOrDefaultAsync(u => u.Domain.Name == parsed.Domain && u.LocalPart == parsed.LocalPart && u.Source == UserSource.Directory, cancellationToken);
        if (user is null || !user.Enabled || user.MissingFromDirectory || user.DisabledByAdministrator)
        {
            return null;
        }

        var candidates = user.Groups.Select(m => $"group:{m.Group.LocalPart ?? m.Group.Name.ToLowerInvariant()}@{parsed.Domain}").Append(principalId).ToHashSet(StringComparer.Ordinal);
        var own = await db.AdminGrants.AsNoTracking().Where(g => candidates.Contains(g.Principal)).ToListAsync(cancellationToken);
        return Strongest(principalId, user.Name, own.Concat(published.Where(g => candidates.Contains(g.Principal))));
    }

    private static AdminPrincipal? Strongest(string principalId, string displayName, IEnumerable<AdminGrant> grants)
    {
        var best = grants.OrderBy(g => g.Role).ThenBy(g => g.Domain, StringComparer.Ordinal).FirstOrDefault();
        return best is null ? null : new AdminPrincipal(principalId, displayName, best.Role, best.Domain);
    }
}
