using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Licensing;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Queue;
using MailAdmin.Core.MailboxMigration;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Configuration;

namespace MailAdmin.Core.Configuration;

/// <summary>
/// Every option of API.md's "Running a node", read and checked before the
/// node starts. A bad value throws <see cref="InvalidSettingException"/>.
/// </summary>
public sealed record NodeSettings(NodeOptions Node, ClusterOptions Cluster, SmtpOptions Smtp, AdminOptions Admin, DirectoryOptions Directory, QueueOptions Queue, MigrationOptions Migration, LicenceOptions Licence)
{
    public static NodeSettings Read(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        var cluster = ClusterOptions.Read(reader);
        var smtp = SmtpOptions.Read(reader);
        var admin = AdminOptions.Read(reader);
        var directory = DirectoryOptions.Read(reader);
        var queue = QueueOptions.Read(reader);
        var migration = MigrationOptions.Read(reader);

        // The data folder last: it is created on disk, so only once the rest is known good.
        var node = NodeOptions.Read(reader);
        var licence = LicenceOptions.Read(reader, node.DataDir);
        return new NodeSettings(node, cluster, smtp, admin, directory, queue, migration, licence);
    }
}
