using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailAdmin.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Resources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Resources",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DomainId = table.Column<int>(type: "INTEGER", nullable: false),
                    LocalPart = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Capacity = table.Column<int>(type: "INTEGER", nullable: true),
                    Location = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    Policy = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Manager = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    HomeServer = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Resources", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Resources_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Resources_DomainId_LocalPart",
                table: "Resources",
                columns: new[] { "DomainId", "LocalPart" },
                unique: true);

            // Resources are entries of the Global Address List: a change to one is a new version of the list.
            foreach (var change in new[] { "insert", "update", "delete" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER AddressList_Resources_{change} AFTER {change.ToUpperInvariant()} ON Resources BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var change in new[] { "insert", "update", "delete" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS AddressList_Resources_{change};");
            }

            migrationBuilder.DropTable(
                name: "Resources");
        }
    }
}
