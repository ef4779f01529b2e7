using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailAdmin.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DistributedDomain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "HomeEpoch",
                table: "Users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "HomeServer",
                table: "MailingLists",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "Domains",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SettingsVersion",
                table: "Domains",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "HomeServer",
                table: "Aliases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Cluster",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    NodeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    MasterName = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    OwnVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnDigest = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Cluster", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ClusterMembers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Host = table.Column<string>(type: "TEXT", nullable: false),
                    ClusterPort = table.Column<int>(type: "INTEGER", nullable: false),
                    SmtpPort = table.Column<int>(type: "INTEGER", nullable: false),
                    ConsoleUrl = table.Column<string>(type: "TEXT", nullable: false),
                    IsMaster = table.Column<bool>(type: "INTEGER", nullable: false),
                    CertificateThumbprint = table.Column<string>(type: "TEXT", nullable: false),
                    SmtpThumbprint = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    JoinedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastContactAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClusterMembers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PeerDocuments",
                columns: table => new
                {
                    Owner = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Payload = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PeerDocuments", x => x.Owner);
                });

            migrationBuilder.CreateTable(
                name: "RevokedCertificates",
                columns: table => new
                {
                    Thumbprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NodeName = table.Column<string>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevokedCertificates", x => x.Thumbprint);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClusterMembers_Name",
                table: "ClusterMembers",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Cluster");

            migrationBuilder.DropTable(
                name: "ClusterMembers");

            migrationBuilder.DropTable(
                name: "PeerDocuments");

            migrationBuilder.DropTable(
                name: "RevokedCertificates");

            migrationBuilder.DropColumn(
                name: "HomeEpoch",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "HomeServer",
                table: "MailingLists");

            migrationBuilder.DropColumn(
                name: "Description",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "SettingsVersion",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "HomeServer",
                table: "Aliases");
        }
    }
}
