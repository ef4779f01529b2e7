using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MailAdmin.Core.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting a node.</summary>
internal sealed class NodeDbContextDesignFactory : IDesignTimeDbContextFactory<NodeDbContext>
{
    public NodeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NodeDbContext>().UseSqlite("Data Source=design.db").Options);
}
