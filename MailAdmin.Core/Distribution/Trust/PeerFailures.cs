using System.Net.Sockets;
using System.Security.Authentication;
using Google.Protobuf;
using Grpc.Core;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// Turns a failed peer call into a <see cref="MailAdminException"/> an administrator can act
/// on: the peer's own refusal when it sent one (trailer <see cref="ClusterProtocol.CodeTrailer"/>),
/// else what went wrong on the way, in words rather than gRPC and socket jargon.
/// </summary>
public static class PeerFailures
{
    /// <param name="e">The failed call.</param>
    /// <param name="target">Who was called, as the administrator knows it (<c>master.example.com:44337</c>).</param>
    public static MailAdminException Translate(RpcException e, string target)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Trailers.GetValue(ClusterProtocol.CodeTrailer) is { Length: > 0 } code)
        {
            var kind = code == "invalid-credentials" ? ErrorKind.Unauthenticated : ErrorKind.Conflict;
            return new MailAdminException(kind, code, e.Status.Detail, e) { Details = ConflictsOf(e) };
        }

        if (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded || Causes(e).Any(c => c is SocketException or HttpRequestException or AuthenticationException))
        {
            // A refused handshake comes back as Internal: it is still a server that could not be reached.
            return new MailAdminException(
                ErrorKind.Unavailable,
                "inaccessible-host",
                $"Cannot reach {target}: {Reason(e)}. Check the host name and the port (its Cluster:Port, {ClusterOptions.DefaultPort} by default) and that a firewall lets this server through.",
                e);
        }

        return e.StatusCode switch
        {
            StatusCode.PermissionDenied or StatusCode.Unauthenticated => new MailAdminException(
                ErrorKind.Conflict,
                "peer-refused",
                $"{target} refused this server: {Detail(e)}. This server may not (or no longer) be a member of its distributed domain, or its certificate was replaced: check the distributed domain on {target}.",
                e),
            _ => new MailAdminException(
                ErrorKind.Unavailable,
                "peer-error",
                $"{target} failed to answer ({e.StatusCode}: {Detail(e)}). Try again; if it persists, check {target}'s log and that both servers run the same MailAdmin version.",
                e),
        };
    }

    private static Dictionary<string, object?>? ConflictsOf(RpcException e)
    {
        if (e.Trailers.GetValueBytes(ClusterProtocol.ConflictsTrailer) is not { } bytes)
        {
            return null;
        }

        try
        {
            var conflicts = ConflictList.Parser.ParseFrom(bytes).Conflicts
                .Select(c => new ConflictInfo(c.Type, c.Name, c.Domain, c.HomeServer))
                .ToList();
            return new Dictionary<string, object?> { ["conflicts"] = conflicts };
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Why a connection failed, from the innermost cause the client recorded.</summary>
    private static string Reason(RpcException e)
    {
        if (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return "it did not answer in time";
        }

        foreach (var cause in Causes(e))
        {
            switch (cause)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "the connection was refused (nothing listens on that port)";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "the host name is unknown";
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return "the connection timed out";
                case SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return "there is no route to the host";
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }:
                    return "the host name is unknown";
                case AuthenticationException when cause.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal):
                    return "its certificate is not one this server trusts (another server may answer at that address, or it belongs to another distributed domain)";
                case AuthenticationException:
                    return "the TLS handshake failed (it may not be a MailAdmin peer port)";
                case TimeoutException:
                    return "the connection timed out";
                default:
                    break;
            }
        }

        return e.Status.Detail.Contains("HTTP/2 handshake", StringComparison.OrdinalIgnoreCase)
            ? "it closed the connection during the handshake (it refused this server's certificate, or it is not a MailAdmin peer port)"
            : Detail(e);
    }

    private static IEnumerable<Exception> Causes(RpcException e)
    {
        for (var cause = e.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    private static string Detail(RpcException e) =>
        string.IsNullOrWhiteSpace(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail.TrimEnd('.');
}
