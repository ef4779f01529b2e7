namespace MailAdmin.Core.Distribution.Trust;

/// <summary>Which nodes may call this one: the members of its distributed domain, as last known.</summary>
public interface IPeerRegistry
{
    /// <summary>
    /// True when <paramref name="nodeName"/> is a member (active or pending) whose certificate
    /// has <paramref name="thumbprint"/> (SHA-256, lower-case hex) and was not revoked.
    /// </summary>
    bool IsTrustedPeer(string nodeName, string thumbprint);
}
