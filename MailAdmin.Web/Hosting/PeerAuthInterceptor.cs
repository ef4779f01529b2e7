using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;

namespace MailAdmin.Web.Hosting;

/// <summary>
/// Admits each call on the peer port. Join's methods take any client certificate (a joining
/// node has only its own CA's; the methods check the administrator's password themselves);
/// every other method needs a member's certificate (<see cref="PeerCertificateValidator"/>),
/// and finds the caller's node name under <see cref="ClusterProtocol.CallerNodeKey"/>.
/// </summary>
public sealed partial class PeerAuthInterceptor(PeerCertificateValidator validator, ILogger<PeerAuthInterceptor> logger) : Interceptor
{
    private static readonly string JoinMethods = $"/{Join.Descriptor.FullName}/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        var connection = context.GetHttpContext().Connection;
        var certificate = connection.ClientCertificate;
        var remote = new IPEndPoint(connection.RemoteIpAddress ?? IPAddress.None, connection.RemotePort);
        if (certificate is not null && context.Method.StartsWith(JoinMethods, StringComparison.Ordinal))
        {
            var fingerprint = PeerCertificates.Fingerprint(certificate);
            LogJoinCall(logger, context.Method, remote, certificate.Subject, fingerprint);
            return;
        }

        var result = validator.Validate(certificate);
        if (!result.IsValid)
        {
            LogRefused(logger, context.Method, remote, result.Reason);
            throw new RpcException(new Status(certificate is null ? StatusCode.Unauthenticated : StatusCode.PermissionDenied, result.Reason));
        }

        context.UserState[ClusterProtocol.CallerNodeKey] = result.NodeName!;
    }

    [LoggerMessage(EventId = 6131, Level = LogLevel.Warning, Message = "Refused peer call {Method} from {Remote}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string method, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 6132, Level = LogLevel.Information, Message = "Join call {Method} from {Remote}, presenting {Subject} with fingerprint {Fingerprint}.")]
    private static partial void LogJoinCall(ILogger logger, string method, IPEndPoint remote, string subject, string fingerprint);
}
