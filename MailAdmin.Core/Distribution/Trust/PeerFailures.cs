using Grpc.Core;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>TEMPORARY (replaced by the trust branch): a failed peer call as a refusal an administrator can act on.</summary>
public static class PeerFailures
{
    public static MailAdminException Translate(RpcException e, string target)
    {
        ArgumentNullException.ThrowIfNull(e);
        var code = e.Trailers.GetValue(ClusterProtocol.CodeTrailer);
        if (code is not null)
        {
            return new MailAdminException(code == "invalid-credentials" ? ErrorKind.Unauthenticated : ErrorKind.Conflict, code, e.Status.Detail);
        }

        return new MailAdminException(ErrorKind.Unavailable, "inaccessible-host", $"Cannot reach {target}: {e.Status.Detail}");
    }
}
