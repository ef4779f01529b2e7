using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// A connection to a master this node does not trust yet (trust on first use). Any server
/// certificate passes the handshake and its fingerprint is recorded for the wizard to show;
/// once the administrator has confirmed one, a server presenting another fails the handshake,
/// and the call fails with <c>fingerprint-mismatch</c> rather than a transport error.
/// </summary>
internal sealed class BootstrapConnection : IBootstrapConnection
{
    private readonly string? _pinned;
    private readonly GrpcChannel _channel;
    private volatile string? _serverFingerprint;
    private volatile string? _mismatch;

    public BootstrapConnection(string? pinnedFingerprint, Func<RemoteCertificateValidationCallback, GrpcChannel> open)
    {
        _pinned = string.IsNullOrWhiteSpace(pinnedFingerprint) ? null : pinnedFingerprint;
        _channel = open(Record);
        Client = new Join.JoinClient(_channel.Intercept(new MismatchInterceptor(this)));
    }

    public Join.JoinClient Client { get; }

    public string? ServerFingerprint => _serverFingerprint;

    public void Dispose() => _channel.Dispose();

    private bool Record(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 presented)
        {
            return false;
        }

        var fingerprint = PeerCertificates.Fingerprint(presented);
        _serverFingerprint = fingerprint;
        if (_pinned is not null && !PeerCertificates.SameFingerprint(fingerprint, _pinned))
        {
            _mismatch = fingerprint;
            return false;
        }

        return true;
    }

    private MailAdminException Mismatch(string presented, Exception inner) => new(
        ErrorKind.Conflict,
        "fingerprint-mismatch",
        $"The master presented a certificate with fingerprint {presented}, not the {PeerCertificates.Canonical(_pinned!)} you confirmed. "
        + "Another server may be answering in its place: check that you reach the right server; if its certificate was renewed, start the wizard again.",
        inner);

    /// <summary>Join's methods are unary: a refused handshake surfaces from the response.</summary>
    private sealed class MismatchInterceptor(BootstrapConnection connection) : Interceptor
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            try
            {
                return continuation(request, context);
            }
            catch (RpcException e) when (connection._mismatch is { } presented)
            {
                throw connection.Mismatch(presented, e);
            }
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(request, context);
            return new AsyncUnaryCall<TResponse>(Surface(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private async Task<TResponse> Surface<TResponse>(Task<TResponse> response)
        {
            try
            {
                return await response.ConfigureAwait(false);
            }
            catch (RpcException e) when (connection._mismatch is { } presented)
            {
                throw connection.Mismatch(presented, e);
            }
        }
    }
}
