using System.Text.Json;
using MailAdmin.Core.Accounts;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Domains;
using MailAdmin.Core.MailboxMigration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MailAdmin.Core.Storage;

/// <summary>The node database: configuration, accounts and the audit log.</summary>
public sealed class NodeDbContext(DbContextOptions<NodeDbContext> options) : DbContext(options)
{
    public DbSet<LocalAccount> LocalAccounts => Set<LocalAccount>();

    public DbSet<AdminGrant> AdminGrants => Set<AdminGrant>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<MailDomain> Domains => Set<MailDomain>();

    public DbSet<DirectorySettings> DirectorySettings => Set<DirectorySettings>();

    public DbSet<MailUser> Users => Set<MailUser>();

    public DbSet<UserAlias> UserAliases => Set<UserAlias>();

    public DbSet<MailGroup> Groups => Set<MailGroup>();

    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();

    public DbSet<DomainAlias> Aliases => Set<DomainAlias>();

    public DbSet<MailingList> MailingLists => Set<MailingList>();

    public DbSet<ClusterRecord> Cluster => Set<ClusterRecord>();

    public DbSet<ClusterMember> ClusterMembers => Set<ClusterMember>();

    public DbSet<PeerDocumentRecord> PeerDocuments => Set<PeerDocumentRecord>();

    public DbSet<RevokedCertificate> RevokedCertificates => Set<RevokedCertificate>();

    public DbSet<MigrationJob> MigrationJobs => Set<MigrationJob>();

    public DbSet<MailboxHold> MailboxHolds => Set<MailboxHold>();

    public DbSet<Scheduling.CalendarEntry> CalendarEntries => Set<Scheduling.CalendarEntry>();

    public DbSet<Scheduling.Resources.BookableResource> Resources => Set<Scheduling.Resources.BookableResource>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type: store instants as Unix milliseconds so they sort and compare.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LocalAccount>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(64);
            e.HasIndex(a => a.Name).IsUnique();
        });
        modelBuilder.Entity<AdminGrant>(e =>
        {
            e.Property(g => g.Principal).HasMaxLength(320);
            e.Property(g => g.Role).HasConversion(r => r.ToWire(), s => Parse(s)).HasMaxLength(16);
            e.Property(g => g.Domain).HasMaxLength(253);
            e.HasIndex(g => g.Principal).IsUnique();
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.Actor, a.At });
            e.HasIndex(a => new { a.Action, a.At });
        });
        modelBuilder.Entity<MailDomain>(e =>
        {
            e.Property(d => d.Name).HasMaxLength(253);
            e.HasIndex(d => d.Name).IsUnique();
            e.HasOne(d => d.Directory).WithOne().HasForeignKey<DirectorySettings>(s => s.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DirectorySettings>(e =>
        {
            e.HasKey(s => s.DomainId);
            e.Property(s => s.Security).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Profile).HasConversion<string>().HasMaxLength(32);
        });
        modelBuilder.Entity<MailUser>(e =>
        {
            e.HasOne(u => u.Domain).WithMany().HasForeignKey(u => u.DomainId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(u => new { u.DomainId, u.LocalPart }).IsUnique();
            e.HasIndex(u => new { u.DomainId, u.DirectoryId }).IsUnique();
            e.Property(u => u.Source).HasConversion<string>().HasMaxLength(16);
            e.Property(u => u.Attributes).HasConversion(
                v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
                v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a != null && b != null && a.Count == b.Count && !a.Except(b).Any(),
                    v => v.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    v => new Dictionary<string, string>(v)));
            e.HasMany(u => u.Aliases).WithOne().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<UserAlias>(e =>
        {
            e.HasIndex(a => new { a.DomainId, a.LocalPart }).IsUnique();
            e.HasOne<MailDomain>().WithMany().HasForeignKey(a => a.DomainId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<MailGroup>(e =>
        {
            e.HasOne<MailDomain>().WithMany().HasForeignKey(g => g.DomainId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(g => new { g.DomainId, g.DirectoryId }).IsUnique();
            e.HasIndex(g => new { g.DomainId, g.LocalPart }).IsUnique();
        });
        modelBuilder.Entity<GroupMember>(e =>
        {
            e.HasKey(m => new { m.GroupId, m.UserId });
            e.HasOne(m => m.Group).WithMany(g => g.Members).HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.User).WithMany(u => u.Groups).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DomainAlias>(e =>
        {
            e.HasIndex(a => new { a.DomainId, a.LocalPart }).IsUnique();
            e.HasOne<MailDomain>().WithMany().HasForeignKey(a => a.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<MailingList>(e =>
        {
            e.HasIndex(l => new { l.DomainId, l.LocalPart }).IsUnique();
            e.HasOne<MailDomain>().WithMany().HasForeignKey(l => l.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<MigrationJob>(e =>
        {
            e.Property(j => j.Id).HasMaxLength(32);
            e.Property(j => j.Address).HasMaxLength(320);
            e.Property(j => j.State).HasMaxLength(16);
            e.HasIndex(j => j.State);
            e.HasIndex(j => j.CreatedAt);
        });

        modelBuilder.Entity<MailboxHold>(e =>
        {
            e.HasKey(h => h.Address);
            e.Property(h => h.Address).HasMaxLength(320);
        });

        modelBuilder.Entity<ClusterRecord>(e =>
        {
            e.Property(c => c.Id).ValueGeneratedNever();
            e.Property(c => c.Role).HasMaxLength(16);
            e.Property(c => c.NodeId).HasMaxLength(64);
            e.Property(c => c.MasterName).HasMaxLength(253);
        });
        modelBuilder.Entity<ClusterMember>(e =>
        {
            e.Property(m => m.Name).HasMaxLength(253);
            e.HasIndex(m => m.Name).IsUnique();
            e.Property(m => m.State).HasMaxLength(16);
        });
        modelBuilder.Entity<PeerDocumentRecord>(e =>
        {
            e.HasKey(d => d.Owner);
            e.Property(d => d.Owner).HasMaxLength(253);
        });
        modelBuilder.Entity<RevokedCertificate>(e =>
        {
            e.HasKey(r => r.Thumbprint);
            e.Property(r => r.Thumbprint).HasMaxLength(64);
        });
        modelBuilder.Entity<Scheduling.Resources.BookableResource>(e =>
        {
            e.ToTable("Resources");
            e.Property(r => r.LocalPart).HasMaxLength(64);
            e.Property(r => r.Name).HasMaxLength(128);
            e.Property(r => r.Location).HasMaxLength(256);
            e.Property(r => r.Description).HasMaxLength(2048);
            e.Property(r => r.Manager).HasMaxLength(320);
            e.Property(r => r.Type).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Policy).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(r => new { r.DomainId, r.LocalPart }).IsUnique();
            e.HasOne<MailDomain>().WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Scheduling.CalendarEntry>(e =>
        {
            e.Property(c => c.Owner).HasMaxLength(320);
            e.Property(c => c.Uid).HasMaxLength(1024);
            e.Property(c => c.RecurrenceKey).HasMaxLength(32);
            e.Property(c => c.Role).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Participation).HasMaxLength(32);
            e.HasIndex(c => new { c.Owner, c.Uid, c.RecurrenceKey }).IsUnique();
            e.HasIndex(c => new { c.Owner, c.StartsAt });
        });
    }

    private static AdminRole Parse(string wire) =>
        AdminRoles.TryParse(wire, out var role) ? role : throw new InvalidOperationException($"Unknown administrator role '{wire}' in the database.");

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
