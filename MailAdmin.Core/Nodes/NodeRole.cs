namespace MailAdmin.Core.Nodes;

/// <summary>Where the node stands in a distributed domain.</summary>
public enum NodeRole
{
    Standalone,
    Master,
    Slave,
}
