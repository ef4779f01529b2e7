namespace MailAdmin.Core.Distribution;

/// <summary>Constants of the peer protocol shared by its client and server sides.</summary>
public static class ClusterProtocol
{
    /// <summary>Nodes of one distributed domain must speak the same version.</summary>
    public const uint Version = 1;

    /// <summary>Trailer of a refused call: the stable refusal code (API.md's <c>code</c>).</summary>
    public const string CodeTrailer = "mailadmin-code";

    /// <summary>Trailer of a <c>data-conflict</c> refusal: a serialized <c>ConflictList</c>.</summary>
    public const string ConflictsTrailer = "mailadmin-conflicts-bin";

    /// <summary>Key in <c>ServerCallContext.UserState</c> under which the peer interceptor leaves the caller's node name.</summary>
    public const string CallerNodeKey = "mailadmin.peer.node";
}
