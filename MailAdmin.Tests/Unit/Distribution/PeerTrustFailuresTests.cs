using System.Net.Sockets;
using System.Security.Authentication;
using Google.Protobuf;
using Grpc.Core;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Errors;

namespace MailAdmin.Tests.Unit.Distribution;

/// <summary><see cref="PeerFailures.Translate"/>: what an administrator reads when a peer call fails.</summary>
public sealed class PeerTrustFailuresTests
{
    private const string Target = "master.example.com:44337";

    [Fact]
    public void Translate_InvalidCredentialsFromThePeer_IsUnauthenticatedWithItsMessage()
    {
        var e = Refusal(StatusCode.Unauthenticated, "invalid-credentials", "The user name or password is wrong.");

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal(ErrorKind.Unauthenticated, failure.Kind);
        Assert.Equal("invalid-credentials", failure.Code);
        Assert.Equal("The user name or password is wrong.", failure.Message);
        Assert.Null(failure.Details);
    }

    [Fact]
    public void Translate_AnotherCodeFromThePeer_IsAConflictWithItsMessage()
    {
        var e = Refusal(StatusCode.FailedPrecondition, "master-is-slave", "master.example.com is a slave of hq.example.com: connect to hq.example.com.");

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal(ErrorKind.Conflict, failure.Kind);
        Assert.Equal("master-is-slave", failure.Code);
        Assert.Equal("master.example.com is a slave of hq.example.com: connect to hq.example.com.", failure.Message);
    }

    [Fact]
    public void Translate_ADataConflict_CarriesTheConflictingItems()
    {
        var list = new ConflictList();
        list.Conflicts.Add(new Conflict { Type = "mailbox", Name = "ann", Domain = "company.com", HomeServer = "master" });
        list.Conflicts.Add(new Conflict { Type = "alias", Name = "sales", Domain = "company.com", HomeServer = "slave1" });
        var e = Refusal(StatusCode.FailedPrecondition, "data-conflict", "2 items exist on both servers.", list.ToByteArray());

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal("data-conflict", failure.Code);
        Assert.Equal(ErrorKind.Conflict, failure.Kind);
        var conflicts = Assert.IsType<List<ConflictInfo>>(failure.Details!["conflicts"]);
        Assert.Equal([new ConflictInfo("mailbox", "ann", "company.com", "master"), new ConflictInfo("alias", "sales", "company.com", "slave1")], conflicts);
    }

    [Fact]
    public void Translate_ADamagedConflictList_KeepsTheCodeWithoutDetails()
    {
        var e = Refusal(StatusCode.FailedPrecondition, "data-conflict", "Items exist on both servers.", [0xFF, 0xFF, 0xFF]);

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal("data-conflict", failure.Code);
        Assert.Null(failure.Details);
    }

    [Fact]
    public void Translate_ARefusedConnection_IsAnInaccessibleHost()
    {
        var e = Failure(StatusCode.Unavailable, "Error starting gRPC call. HttpRequestException: Connection refused (master.example.com:44337)",
            new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)));

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal(ErrorKind.Unavailable, failure.Kind);
        Assert.Equal("inaccessible-host", failure.Code);
        Assert.Equal(
            "Cannot reach master.example.com:44337: the connection was refused (nothing listens on that port). Check the host name and the port (its Cluster:Port, 44337 by default) and that a firewall lets this server through.",
            failure.Message);
    }

    [Fact]
    public void Translate_AnUnknownHostName_SaysSo()
    {
        var e = Failure(StatusCode.Unavailable, "Error starting gRPC call. HttpRequestException: Name or service not known",
            new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (nowhere.example:44337)", new SocketException((int)SocketError.HostNotFound)));

        var failure = PeerFailures.Translate(e, "nowhere.example:44337");

        Assert.Equal("inaccessible-host", failure.Code);
        Assert.StartsWith("Cannot reach nowhere.example:44337: the host name is unknown.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_AnUnfinishedHttp2Handshake_SaysTheServerClosedTheConnection()
    {
        var e = Failure(StatusCode.Unavailable, "Error starting gRPC call. HttpRequestException: The server did not complete the HTTP/2 handshake.", null);

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal("inaccessible-host", failure.Code);
        Assert.Contains("closed the connection during the handshake", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_AServerCertificateThisNodeRefused_IsAnInaccessibleHost()
    {
        // What the client reports when its own certificate check refused the server: Internal, not Unavailable.
        var e = Failure(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: The SSL connection could not be established, see inner exception.",
            new HttpRequestException("The SSL connection could not be established, see inner exception.", new AuthenticationException("The remote certificate was rejected by the provided RemoteCertificateValidationCallback.")));

        var failure = PeerFailures.Translate(e, Target);

        Assert.Equal("inaccessible-host", failure.Code);
        Assert.Contains("its certificate is not one this server trusts", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_ADeadline_SaysThePeerDidNotAnswerInTime()
    {
        var failure = PeerFailures.Translate(Failure(StatusCode.DeadlineExceeded, "Deadline Exceeded", null), Target);

        Assert.Equal("inaccessible-host", failure.Code);
        Assert.StartsWith("Cannot reach master.example.com:44337: it did not answer in time.", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCode.PermissionDenied, "node 'slave1' is not a member of this distributed domain")]
    [InlineData(StatusCode.Unauthenticated, "no client certificate")]
    public void Translate_ARefusalWithoutACode_IsPeerRefused(StatusCode status, string reason)
    {
        var failure = PeerFailures.Translate(Failure(status, reason, null), Target);

        Assert.Equal("peer-refused", failure.Code);
        Assert.Equal(ErrorKind.Conflict, failure.Kind);
        Assert.StartsWith($"master.example.com:44337 refused this server: {reason}.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_AnythingElse_IsAPeerErrorNamingTheStatus()
    {
        var failure = PeerFailures.Translate(Failure(StatusCode.Unimplemented, "Method is unimplemented.", null), Target);

        Assert.Equal("peer-error", failure.Code);
        Assert.Contains("(Unimplemented: Method is unimplemented)", failure.Message, StringComparison.Ordinal);
    }

    private static RpcException Refusal(StatusCode status, string code, string message, byte[]? conflicts = null)
    {
        var trailers = new Metadata { { ClusterProtocol.CodeTrailer, code } };
        if (conflicts is not null)
        {
            trailers.Add(ClusterProtocol.ConflictsTrailer, conflicts);
        }

        return new RpcException(new Status(status, message), trailers);
    }

    private static RpcException Failure(StatusCode status, string detail, Exception? cause) => new(new Status(status, detail, cause));
}
