namespace MailAdmin.Core.Nodes;

public sealed record LicenceInfo(int Seats, int Used);

/// <summary>What <c>GET /api/v1/node</c> and the console's app bar show.</summary>
public sealed record NodeInfo(string Name, string Host, NodeRole Role, string Version, LicenceInfo Licence);
