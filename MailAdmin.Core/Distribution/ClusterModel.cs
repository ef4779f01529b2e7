using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Distribution;

/// <summary>What <c>GET /api/v1/cluster</c> and the Distributed Domains dialog show.</summary>
public sealed record ClusterInfo(NodeRole Role, string? Master, IReadOnlyList<ClusterServerInfo> Servers);

/// <summary>One server of the distributed domain.</summary>
/// <param name="Status"><c>ready</c> or <c>error</c>.</param>
/// <param name="DomainStatus">The state of the distributed domain as this server sees it: <c>connected</c>, <c>pending</c>, <c>unreachable</c> or <c>standalone</c>.</param>
/// <param name="ConsoleUrl">The server's own console (manual, chapter 7: a slave is disconnected there).</param>
public sealed record ClusterServerInfo(
    string Name,
    string Host,
    bool IsMaster,
    bool IsLocal,
    string Status,
    IReadOnlyList<string> Errors,
    string DomainStatus,
    string ConsoleUrl);

/// <summary>What the wizard shows before the administrator picks a domain.</summary>
public sealed record DistributableInfo(string Fingerprint, IReadOnlyList<string> Domains);

/// <summary>The wizard's answers: which master, as whom, which domain, and the fingerprint the administrator saw.</summary>
public sealed record ConnectInput(string MasterHost, string Username, string Password, string Domain, string Fingerprint);

/// <summary>An item that exists on both sides of a refused join (<c>data-conflict</c>).</summary>
/// <param name="Type"><c>mailbox</c>, <c>alias</c>, <c>list</c>, <c>resource</c> or <c>domain-alias</c>.</param>
public sealed record ConflictInfo(string Type, string Name, string Domain, string HomeServer);

/// <summary>One line of <c>GET /api/v1/cluster/home-servers</c>.</summary>
public sealed record HomeServerEntry(string Address, string HomeServer, long Epoch);
