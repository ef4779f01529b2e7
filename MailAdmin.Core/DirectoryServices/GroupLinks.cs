using MailAdmin.Core.Accounts;
using MailAdmin.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Links a domain's directory groups to the users this node knows, from the member DNs the
/// last sync recorded (<see cref="MailGroup.MemberKeys"/>). A directory group is one group on
/// every server: the users of other servers arrive by replication after the sync that read the
/// group, and are linked here when they do.
/// </summary>
internal static class GroupLinks
{
    /// <summary>True when the tracked changes add, remove or rename (by DN) a user, so group links may have changed.</summary>
    public static bool UsersChanged(NodeDbContext db) =>
        db.ChangeTracker.Entries<MailUser>().Any(e => e.State is EntityState.Added or EntityState.Deleted
            || (e.State == EntityState.Modified && e.Property(u => u.DirectoryDn).IsModified));

    /// <summary>Makes each group's members exactly the domain's users whose DN the group holds; the caller saves.</summary>
    public static async Task RelinkAsync(NodeDbContext db, int domainId, CancellationToken cancellationToken)
    {
        var groups = await db.Groups.Include(g => g.Members).Where(g => g.DomainId == domainId && g.MemberKeys != null).ToListAsync(cancellationToken);
        if (groups.Count == 0)
        {
            return;
        }

        var users = await db.Users.AsNoTracking().Where(u => u.DomainId == domainId && u.DirectoryDn != null)
            .Select(u => new { u.Id, u.DirectoryDn }).ToListAsync(cancellationToken);
        var idsByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            idsByKey.TryAdd(GroupMembership.DnKey(user.DirectoryDn!), user.Id);
        }

        foreach (var group in groups)
        {
            var wanted = group.MemberKeys!.Where(idsByKey.ContainsKey).Select(k => idsByKey[k]).ToHashSet();
            var current = group.Members.Select(m => m.UserId).ToHashSet();
            if (current.SetEquals(wanted))
            {
                continue;
            }

            group.Members.RemoveAll(m => !wanted.Contains(m.UserId));
            group.Members.AddRange(wanted.Where(id => !current.Contains(id)).Select(id => new GroupMember { UserId = id }));
        }
    }
}
