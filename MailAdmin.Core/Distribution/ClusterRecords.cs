namespace MailAdmin.Core.Distribution;

/// <summary>The node's own standing in its distributed domain; one row.</summary>
public sealed class ClusterRecord
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Random and persistent: tells a node it reached itself under another name.</summary>
    public required string NodeId { get; set; }

    /// <summary><c>standalone</c>, <c>master</c> or <c>slave</c>.</summary>
    public required string Role { get; set; }

    public string? MasterName { get; set; }

    /// <summary>Version of this node's own document; raised whenever its content changes.</summary>
    public long OwnVersion { get; set; }

    /// <summary>SHA-256 of the content last published, to tell a change from a re-computation.</summary>
    public string? OwnDigest { get; set; }
}

/// <summary>
/// A server of the distributed domain. The master keeps the list and publishes it in its
/// document; other nodes copy it from there. This node is a row too.
/// </summary>
public sealed class ClusterMember
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string Host { get; set; }

    public int ClusterPort { get; set; }

    public int SmtpPort { get; set; }

    public string ConsoleUrl { get; set; } = string.Empty;

    public bool IsMaster { get; set; }

    /// <summary>SHA-256 (lower-case hex) of its certificate of the domain's CA.</summary>
    public string CertificateThumbprint { get; set; } = string.Empty;

    /// <summary>SHA-256 (lower-case hex) of the certificate its SMTP listener presents.</summary>
    public string SmtpThumbprint { get; set; } = string.Empty;

    /// <summary><c>pending</c> until a joined node confirms, then <c>active</c>.</summary>
    public string State { get; set; } = MemberStates.Active;

    public DateTimeOffset JoinedAt { get; set; }

    /// <summary>When this node last reached it, or heard from it (local observation, not replicated).</summary>
    public DateTimeOffset? LastContactAt { get; set; }

    /// <summary>Why the last attempt to reach it failed; null when it answered.</summary>
    public string? LastError { get; set; }
}

public static class MemberStates
{
    public const string Pending = "pending";
    public const string Active = "active";
}

/// <summary>The latest document of another node, as received (a serialized <c>NodeDocument</c>).</summary>
public sealed class PeerDocumentRecord
{
    public required string Owner { get; set; }

    public long Version { get; set; }

    public required byte[] Payload { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A certificate of a node that left: refused from then on.</summary>
public sealed class RevokedCertificate
{
    public required string Thumbprint { get; set; }

    public required string NodeName { get; set; }

    public DateTimeOffset RevokedAt { get; set; }
}
