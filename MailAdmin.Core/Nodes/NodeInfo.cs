using MailAdmin.Core.Licensing;

namespace MailAdmin.Core.Nodes;

/// <summary>What <c>GET /api/v1/node</c> and the console's home page show.</summary>
public sealed record NodeInfo(string Name, string Host, NodeRole Role, string Version, LicenceUsage Licence);
