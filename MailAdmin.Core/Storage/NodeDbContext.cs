using MailAdmin.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MailAdmin.Core.Storage;

/// <summary>The node database: configuration, accounts and the audit log.</summary>
public sealed class NodeDbContext(DbContextOptions<NodeDbContext> options) : DbContext(options)
{
    public DbSet<LocalAccount> LocalAccounts => Set<LocalAccount>();

    public DbSet<AdminGrant> AdminGrants => Set<AdminGrant>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

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
    }

    private static AdminRole Parse(string wire) =>
        AdminRoles.TryParse(wire, out var role) ? role : throw new InvalidOperationException($"Unknown administrator role '{wire}' in the database.");

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
