using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailAdmin.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddressListVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One number that rises with every change to what the Global Address List is made of, so
            // the in-memory list (GalService) knows when to rebuild without rebuilding for other writes.
            migrationBuilder.Sql("CREATE TABLE AddressListVersion (Id INTEGER NOT NULL PRIMARY KEY, Version INTEGER NOT NULL);");
            migrationBuilder.Sql("INSERT INTO AddressListVersion (Id, Version) VALUES (1, 0);");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Users_insert AFTER INSERT ON Users BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Users_update AFTER UPDATE ON Users BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Users_delete AFTER DELETE ON Users BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_UserAliases_insert AFTER INSERT ON UserAliases BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_UserAliases_update AFTER UPDATE ON UserAliases BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_UserAliases_delete AFTER DELETE ON UserAliases BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Groups_insert AFTER INSERT ON Groups BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Groups_update AFTER UPDATE ON Groups BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Groups_delete AFTER DELETE ON Groups BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_MailingLists_insert AFTER INSERT ON MailingLists BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_MailingLists_update AFTER UPDATE ON MailingLists BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_MailingLists_delete AFTER DELETE ON MailingLists BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Domains_insert AFTER INSERT ON Domains BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Domains_update AFTER UPDATE ON Domains BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER AddressList_Domains_delete AFTER DELETE ON Domains BEGIN UPDATE AddressListVersion SET Version = Version + 1 WHERE Id = 1; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Users_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Users_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Users_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_UserAliases_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_UserAliases_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_UserAliases_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Groups_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Groups_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Groups_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_MailingLists_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_MailingLists_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_MailingLists_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Domains_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Domains_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AddressList_Domains_delete;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS AddressListVersion;");
        }
    }
}
