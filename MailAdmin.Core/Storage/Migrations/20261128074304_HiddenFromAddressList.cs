using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailAdmin.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class HiddenFromAddressList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "HiddenFromAddressList",
                table: "Users",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HiddenFromAddressList",
                table: "Users");
        }
    }
}
